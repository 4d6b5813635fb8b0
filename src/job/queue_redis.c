/* The redis backend: a Redis stream and its consumer group, for workers on
 * many machines (DESIGN.md §8). Owns the Redis keys below, the connection
 * (reconnected with backoff) and the Lua scripts that change them.
 *
 *   reelay:jobs            stream of queued jobs: {id, job, attempts}, where
 *                          attempts are those counted before this entry
 *                          was added (carried over by a retry)
 *                          group "reelay": one consumer per queue handle
 *   reelay:job:ID          hash: status (queued|running|done|failed), job
 *                          (the document), entry (its current stream entry
 *                          id), outputs (the files it writes, a JSON array:
 *                          reelay_job_output_paths), result (the result
 *                          document once finished), finished (when, ms on
 *                          the server's clock)
 *   reelay:status:STATE    set of job ids in each state, for counts (SCARD)
 *   reelay:output:PATH     the id of the job that writes file PATH (its
 *                          output or a sidecar), taken at submission: a
 *                          second job naming PATH is refused
 *   reelay:finished        sorted set: finished job ids by finish time (ms,
 *                          the server's clock), for retention
 *   reelay:results         stream of results: {id, result}
 *   reelay:dead            dead letters: {id, job, reason, entry}
 *
 * A claim is an entry delivered to our consumer (XREADGROUP, or XAUTOCLAIM
 * for an entry idle longer than the lease: its worker stopped heartbeating).
 * Its attempt is the carried attempts plus the entry's delivery count; past
 * REELAY_QUEUE_MAX_ATTEMPTS the job is dead-lettered and fails. Finishing
 * writes the result first and acknowledges the entry last, in one script.
 *
 * Retention (trim) forgets a job finished before a cutoff with its hash,
 * set memberships and output names, and cuts both result streams at the
 * cutoff (stream ids are ms on the same clock); it also drops consumers
 * that hold nothing and have been idle past the lease (workers that died:
 * XAUTOCLAIM took their entries). It goes in batches so that a large
 * backlog never holds the server for long.
 *
 * Every change is one Lua script, so it happens whole or not at all and two
 * workers never interleave (scripts run one at a time). Scripts go as EVAL
 * text every time: a restarted server has lost its script cache. They name
 * keys they compute, so this targets one Redis server, not a Cluster.
 * Times come from the server (TIME), so workers' clocks need not agree.
 * A lost connection is reopened with backoff and the command sent again;
 * each script is written to be safe to receive twice. Replies that mean
 * "not now" (a server loading its data after a restart, busy with a slow
 * script, a replica without its master) are waited out the same way:
 * the command did not run. */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "job/queue_backend.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"

/* Reconnecting: the first delay and its cap (an operation gives up after
 * the queue's wait, redis_queue.wait_s). */
#define BACKOFF_FIRST_S 0.1
#define BACKOFF_MAX_S 5.0
#define CONNECT_TIMEOUT_S 2
/* No command should take this long; a silent server counts as lost. */
#define COMMAND_TIMEOUT_S 15
/* Jobs (and stream entries, and consumers) one retention script call
 * forgets at most: each call holds the server for a few ms at most. */
#define TRIM_BATCH 200

typedef struct redis_queue {
    char host[256];
    int port;
    int db;
    /* AUTH: from the spec's "[USER]:PASSWORD@" or REELAY_REDIS_USER and
     * REELAY_REDIS_PASSWORD (which keep it out of `ps`); never in messages */
    char user[128];
    char password[512];
    char address[300]; /* "HOST:PORT/DB", for messages */
    char consumer[400];
    long long lease_ms;
    double wait_s;     /* how long an operation keeps trying to reconnect */
    redisContext *ctx; /* NULL while disconnected */
} redis_queue;

/* Shared by the scripts: moves a job to a state (its hash and the sets). */
#define LUA_PRELUDE                                                                                               \
    "local function set_status(id, status)\n"                                                                    \
    "  for _, s in ipairs({'queued', 'running', 'done', 'failed'}) do\n"                                          \
    "    if s ~= status then redis.call('SREM', 'reelay:status:' .. s, id) end\n"                                 \
    "  end\n"                                                                                                     \
    "  redis.call('SADD', 'reelay:status:' .. status, id)\n"                                                      \
    "  redis.call('HSET', 'reelay:job:' .. id, 'status', status)\n"                                               \
    "end\n"                                                                                                       \
    "local function owner(entry)\n"                                                                               \
    "  local p = redis.call('XPENDING', 'reelay:jobs', 'reelay', entry, entry, 1)\n"                              \
    "  if p[1] then return p[1][2], tonumber(p[1][4]) end\n"                                                      \
    "  return nil, 0\n"                                                                                           \
    "end\n"                                                                                                       \
    "local function fields(list)\n"                                                                               \
    "  local f = {}\n"                                                                                            \
    "  for i = 1, #list, 2 do f[list[i]] = list[i + 1] end\n"                                                     \
    "  return f\n"                                                                                                \
    "end\n"                                                                                                       \
    "local function now_ms()\n"                                                                                   \
    "  local t = redis.call('TIME')\n"                                                                            \
    "  return string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))\n"                  \
    "end\n"                                                                                                       \
    "local function set_finished(id)\n"                                                                           \
    "  local ms = now_ms()\n"                                                                                     \
    "  redis.call('HSET', 'reelay:job:' .. id, 'finished', ms)\n"                                                 \
    "  redis.call('ZADD', 'reelay:finished', ms, id)\n"                                                           \
    "end\n"

/* ARGV: id, job, outputs (a JSON array of the files it writes), resent.
 * Returns "ok", "exists STATUS", or {"owned", INDEX, OWNER} when the
 * outputs' INDEXth file (from 1) belongs to job OWNER: then nothing is
 * made. Sent again after a lost reply, the job it finds may be its own:
 * same text, no error (its names are its own too). A name whose owner is
 * gone (its hash deleted by hand) is free. */
static const char SUBMIT_LUA[] = LUA_PRELUDE
    "local key = 'reelay:job:' .. ARGV[1]\n"
    "local status = redis.call('HGET', key, 'status')\n"
    "if status then\n"
    "  if ARGV[4] == '1' and redis.call('HGET', key, 'job') == ARGV[2] then return 'ok' end\n"
    "  return 'exists ' .. status\n"
    "end\n"
    "local outputs = cjson.decode(ARGV[3])\n"
    "for i, path in ipairs(outputs) do\n"
    "  local owner = redis.call('GET', 'reelay:output:' .. path)\n"
    "  if owner and owner ~= ARGV[1] and redis.call('EXISTS', 'reelay:job:' .. owner) == 1 then\n"
    "    return {'owned', i, owner}\n"
    "  end\n"
    "end\n"
    "for _, path in ipairs(outputs) do redis.call('SET', 'reelay:output:' .. path, ARGV[1]) end\n"
    "local entry = redis.call('XADD', 'reelay:jobs', '*', 'id', ARGV[1], 'job', ARGV[2], 'attempts', '0')\n"
    "redis.call('HSET', key, 'job', ARGV[2], 'entry', entry, 'outputs', ARGV[3])\n"
    "set_status(ARGV[1], 'queued')\n"
    "return 'ok'\n";

/* ARGV: consumer, lease in ms, max attempts. Takes over the oldest entry
 * idle longer than the lease, else the next new one. Returns nil when there
 * is none, else {entry, id, job, attempt, verdict}: "run" (now running),
 * "dead" (too many attempts) or "bad" (no valid id: not ours to run). */
static const char CLAIM_LUA[] = LUA_PRELUDE
    "local function pick(e)\n"
    "  local f = fields(e[2])\n"
    "  local _, delivered = owner(e[1])\n"
    "  local attempt = (tonumber(f['attempts'] or '0') or 0) + math.max(delivered, 1)\n"
    "  local id = f['id']\n"
    "  if type(id) ~= 'string' or #id < 1 or #id > 64 or not id:match('^[%w_%-][%w%._%-]*$') then\n"
    "    return {e[1], '', f['job'] or '', attempt, 'bad'}\n"
    "  end\n"
    "  if attempt > tonumber(ARGV[3]) then return {e[1], id, f['job'] or '', attempt, 'dead'} end\n"
    "  set_status(id, 'running')\n"
    "  return {e[1], id, f['job'] or '', attempt, 'run'}\n"
    "end\n"
    /* XAUTOCLAIM scans a bounded part of the pending list per call: follow
     * its cursor through the whole list. */
    "local cursor = '0-0'\n"
    "repeat\n"
    "  local r = redis.call('XAUTOCLAIM', 'reelay:jobs', 'reelay', ARGV[1], ARGV[2], cursor, 'COUNT', 1)\n"
    "  cursor = r[1]\n"
    "  if r[2][1] then return pick(r[2][1]) end\n"
    "until cursor == '0-0'\n"
    "local r = redis.call('XREADGROUP', 'GROUP', 'reelay', ARGV[1], 'COUNT', 1, 'STREAMS', 'reelay:jobs', '>')\n"
    "if r and r[1] and r[1][2][1] then return pick(r[1][2][1]) end\n"
    "return false\n";

/* ARGV: entry, id, job, reason, result ('' for an entry without a valid
 * id), consumer. Dead-letters a claimed entry; "gone" when it is not ours
 * (any more: this is also what a second delivery of the script sees). */
static const char BURY_LUA[] = LUA_PRELUDE
    "if owner(ARGV[1]) ~= ARGV[6] then return 'gone' end\n"
    "redis.call('XADD', 'reelay:dead', '*', 'id', ARGV[2], 'job', ARGV[3], 'reason', ARGV[4], 'entry', ARGV[1])\n"
    "if ARGV[5] ~= '' then\n"
    "  redis.call('HSET', 'reelay:job:' .. ARGV[2], 'result', ARGV[5])\n"
    "  set_status(ARGV[2], 'failed')\n"
    "  set_finished(ARGV[2])\n"
    "  redis.call('XADD', 'reelay:results', '*', 'id', ARGV[2], 'result', ARGV[5])\n"
    "end\n"
    "redis.call('XACK', 'reelay:jobs', 'reelay', ARGV[1])\n"
    "redis.call('XDEL', 'reelay:jobs', ARGV[1])\n"
    "return 'ok'\n";

/* ARGV: entry, consumer. Resets the entry's idle time (JUSTID: the delivery
 * count stays) only while we own it: XCLAIM alone would steal it back. */
static const char HEARTBEAT_LUA[] = LUA_PRELUDE
    "if owner(ARGV[1]) ~= ARGV[2] then return 'lost' end\n"
    "redis.call('XCLAIM', 'reelay:jobs', 'reelay', ARGV[2], 0, ARGV[1], 'JUSTID')\n"
    "return 'ok'\n";

/* ARGV: entry, id, consumer, status, result, resent. The result is stored
 * and published, then the entry acknowledged: all or nothing. */
static const char COMPLETE_LUA[] = LUA_PRELUDE
    "local key = 'reelay:job:' .. ARGV[2]\n"
    "if owner(ARGV[1]) ~= ARGV[3] then\n"
    "  if ARGV[6] == '1' and redis.call('HGET', key, 'result') == ARGV[5] then return 'ok' end\n"
    "  return 'lost'\n"
    "end\n"
    "redis.call('HSET', key, 'result', ARGV[5])\n"
    "set_status(ARGV[2], ARGV[4])\n"
    "set_finished(ARGV[2])\n"
    "redis.call('XADD', 'reelay:results', '*', 'id', ARGV[2], 'result', ARGV[5])\n"
    "redis.call('XACK', 'reelay:jobs', 'reelay', ARGV[1])\n"
    "redis.call('XDEL', 'reelay:jobs', ARGV[1])\n"
    "return 'ok'\n";

/* ARGV: entry, id, consumer, attempts to carry, resent. A fresh copy of the
 * entry goes to the end of the stream (a new delivery count), the old one
 * is acknowledged. */
static const char REQUEUE_LUA[] = LUA_PRELUDE
    "local key = 'reelay:job:' .. ARGV[2]\n"
    "if owner(ARGV[1]) ~= ARGV[3] then\n"
    "  if ARGV[5] == '1' and redis.call('HGET', key, 'entry') ~= ARGV[1] then return 'ok' end\n"
    "  return 'lost'\n"
    "end\n"
    "local old = redis.call('XRANGE', 'reelay:jobs', ARGV[1], ARGV[1])\n"
    "local job = ''\n"
    "if old[1] then job = fields(old[1][2])['job'] or '' end\n"
    "local entry = redis.call('XADD', 'reelay:jobs', '*', 'id', ARGV[2], 'job', job, 'attempts', ARGV[4])\n"
    "redis.call('HSET', key, 'entry', entry)\n"
    "set_status(ARGV[2], 'queued')\n"
    "redis.call('XACK', 'reelay:jobs', 'reelay', ARGV[1])\n"
    "redis.call('XDEL', 'reelay:jobs', ARGV[1])\n"
    "return 'ok'\n";

static const char COUNTS_LUA[] =
    "return {redis.call('SCARD', 'reelay:status:queued'), redis.call('SCARD', 'reelay:status:running'),\n"
    "        redis.call('SCARD', 'reelay:status:done'), redis.call('SCARD', 'reelay:status:failed')}\n";

/* ARGV: cutoff (ms on the server's clock), batch, lease (ms). Forgets up
 * to a batch of jobs finished at or before the cutoff, of entries of each
 * result stream from then, and of consumers holding nothing and idle past
 * the lease. Returns {jobs forgotten, 1 when a batch was full (call
 * again)}. Safe to run twice, and from many workers at once. */
static const char TRIM_LUA[] = LUA_PRELUDE
    "local cutoff, batch, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])\n"
    "local more = 0\n"
    "local function forget(id)\n"
    "  local key = 'reelay:job:' .. id\n"
    "  local h = redis.call('HMGET', key, 'status', 'outputs')\n"
    /* Only a finished job: anything else is not the job that finished. */
    "  if h[1] ~= 'done' and h[1] ~= 'failed' then return 0 end\n"
    "  local ok, outputs = pcall(cjson.decode, h[2] or '[]')\n"
    "  if ok and type(outputs) == 'table' then\n"
    "    for _, path in ipairs(outputs) do\n"
    "      local okey = 'reelay:output:' .. tostring(path)\n"
    "      if redis.call('GET', okey) == id then redis.call('DEL', okey) end\n"
    "    end\n"
    "  end\n"
    "  for _, s in ipairs({'queued', 'running', 'done', 'failed'}) do\n"
    "    redis.call('SREM', 'reelay:status:' .. s, id)\n"
    "  end\n"
    "  redis.call('DEL', key)\n"
    "  return 1\n"
    "end\n"
    "local removed = 0\n"
    "local ids = redis.call('ZRANGEBYSCORE', 'reelay:finished', '-inf', cutoff, 'LIMIT', 0, batch)\n"
    "if #ids == batch then more = 1 end\n"
    "for _, id in ipairs(ids) do\n"
    "  removed = removed + forget(id)\n"
    "  redis.call('ZREM', 'reelay:finished', id)\n"
    "end\n"
    /* XTRIM MINID removes every entry below an id, however many: below the
     * cutoff when they are a batch or fewer, else below the batch's end. */
    "for _, stream in ipairs({'reelay:results', 'reelay:dead'}) do\n"
    "  local old = redis.call('XRANGE', stream, '-', cutoff, 'COUNT', batch + 1)\n"
    "  if #old > batch then\n"
    "    more = 1\n"
    "    redis.call('XTRIM', stream, 'MINID', old[#old][1])\n"
    "  elseif #old > 0 then\n"
    "    redis.call('XTRIM', stream, 'MINID', string.format('%d', tonumber(cutoff) + 1))\n"
    "  end\n"
    "end\n"
    /* A consumer without pending entries loses nothing when deleted; a
     * live worker's next read makes it again. */
    "local consumers = redis.pcall('XINFO', 'CONSUMERS', 'reelay:jobs', 'reelay')\n"
    "if type(consumers) == 'table' and not consumers['err'] then\n"
    "  local dropped = 0\n"
    "  for _, c in ipairs(consumers) do\n"
    "    local f = fields(c)\n"
    "    if tonumber(f['pending']) == 0 and (tonumber(f['idle']) or 0) > lease then\n"
    "      if dropped == batch then more = 1 break end\n"
    "      redis.call('XGROUP', 'DELCONSUMER', 'reelay:jobs', 'reelay', f['name'])\n"
    "      dropped = dropped + 1\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return {removed, more}\n";

/* ARGV: consumer. A consumer that holds nothing is removed from the group
 * (deleting one with pending entries would lose them). */
static const char FORGET_LUA[] =
    "if #redis.call('XPENDING', 'reelay:jobs', 'reelay', '-', '+', 1, ARGV[1]) == 0 then\n"
    "  redis.call('XGROUP', 'DELCONSUMER', 'reelay:jobs', 'reelay', ARGV[1])\n"
    "end\n"
    "return 'ok'\n";

static const char *reply_type_name(const redisReply *reply)
{
    if (!reply) return "no reply";
    switch (reply->type) {
    case REDIS_REPLY_STRING: return "string";
    case REDIS_REPLY_ARRAY: return "array";
    case REDIS_REPLY_INTEGER: return "integer";
    case REDIS_REPLY_NIL: return "nil";
    case REDIS_REPLY_STATUS: return "status";
    case REDIS_REPLY_ERROR: return "error";
    default: return "unknown type";
    }
}

static int unexpected(const redis_queue *q, const char *what, const redisReply *reply, reelay_err *err)
{
    if (reply && reply->type == REDIS_REPLY_ERROR)
        return reelay_err_set(err, REELAY_E_IO, "redis at %s: %s failed: %.300s", q->address, what, reply->str);
    if (reply && (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS))
        return reelay_err_set(err, REELAY_E_IO, "unexpected reply from redis at %s to %s: %s '%.200s'", q->address,
                              what, reply_type_name(reply), reply->str);
    return reelay_err_set(err, REELAY_E_IO, "unexpected reply from redis at %s to %s: %s", q->address, what,
                          reply_type_name(reply));
}

static bool is_text(const redisReply *reply)
{
    return reply && (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS) && reply->str;
}

static bool text_is(const redisReply *reply, const char *text)
{
    return is_text(reply) && strcmp(reply->str, text) == 0;
}

/* Error replies that mean "not now" rather than "no": the server is
 * loading its data (after a restart), busy with another client's slow
 * script, resharding (TRYAGAIN) or a replica cut off from its master. In
 * each the command did not run, so sending it again is safe. The first
 * word must match whole: BUSYGROUP and BUSYKEY are answers, not delays. */
static bool transient_reply(const redisReply *reply)
{
    static const char *const words[] = {"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN"};
    if (!reply || reply->type != REDIS_REPLY_ERROR || !reply->str) return false;
    size_t len = strcspn(reply->str, " ");
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == len && strncmp(reply->str, words[i], len) == 0) return true;
    return false;
}

/* Waiting out an unreachable or not-ready server: doubling delays from
 * BACKOFF_FIRST_S up to BACKOFF_MAX_S, the last one cut short so that a
 * final try falls on the deadline. */
typedef struct backoff {
    double deadline, delay;
} backoff;

static backoff backoff_start(const redis_queue *q)
{
    return (backoff){.deadline = reelay_monotonic_s() + q->wait_s, .delay = BACKOFF_FIRST_S};
}

/* Sleeps before the next try; false when the deadline has passed. */
static bool backoff_wait(backoff *b)
{
    double left = b->deadline - reelay_monotonic_s();
    if (left <= 0) return false;
    reelay_sleep_s(b->delay < left ? b->delay : left);
    b->delay = b->delay * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : b->delay * 2;
    return true;
}

static void disconnect(redis_queue *q)
{
    if (q->ctx) redisFree(q->ctx);
    q->ctx = NULL;
}

/* One connection attempt: connect, choose the database, make sure the
 * group exists (a server restarted without persistence has lost it).
 * Returns 1 connected, 0 not reachable (why says why), or an error code
 * other than REELAY_E_USAGE (which is 1) when the server answers but
 * refuses. */
static int connect_once(redis_queue *q, char *why, size_t why_size, reelay_err *err)
{
    struct timeval connect_tv = {.tv_sec = CONNECT_TIMEOUT_S}, command_tv = {.tv_sec = COMMAND_TIMEOUT_S};
    redisContext *ctx = redisConnectWithTimeout(q->host, q->port, connect_tv);
    if (!ctx || ctx->err) {
        snprintf(why, why_size, "%s", ctx ? ctx->errstr : "out of memory");
        if (ctx) redisFree(ctx);
        return 0;
    }
    if (redisSetTimeout(ctx, command_tv) != REDIS_OK) {
        snprintf(why, why_size, "%s", ctx->errstr);
        redisFree(ctx);
        return 0;
    }
    q->ctx = ctx;
    if (q->password[0]) {
        const char *auth_argv[] = {"AUTH", q->user[0] ? q->user : q->password, q->password};
        redisReply *reply = redisCommandArgv(ctx, q->user[0] ? 3 : 2, auth_argv, NULL);
        if (!reply || transient_reply(reply)) {
            snprintf(why, why_size, "%s", reply ? reply->str : ctx->errstr);
            if (reply) freeReplyObject(reply);
            disconnect(q);
            return 0;
        }
        int rc = text_is(reply, "OK") ? REELAY_OK
                                      : reelay_err_set(err, REELAY_E_IO, "redis at %s: the password%s is refused: %s",
                                                       q->address, q->user[0] ? " (or user)" : "",
                                                       reply->str ? reply->str : "no reason given");
        freeReplyObject(reply);
        if (rc != REELAY_OK) {
            disconnect(q);
            return rc;
        }
    }
    char db[16];
    snprintf(db, sizeof db, "%d", q->db);
    const char *select_argv[] = {"SELECT", db};
    /* Group "reelay" from the start of the stream ("0", not "$"): jobs
     * submitted before the first worker came are delivered too. */
    const char *group_argv[] = {"XGROUP", "CREATE", "reelay:jobs", "reelay", "0", "MKSTREAM"};
    struct {
        int argc;
        const char **argv;
        const char *what;
    } steps[] = {{2, select_argv, "SELECT"}, {6, group_argv, "XGROUP CREATE"}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (i == 0 && q->db == 0) continue;
        redisReply *reply = redisCommandArgv(ctx, steps[i].argc, steps[i].argv, NULL);
        if (!reply || transient_reply(reply)) {
            /* Not ready yet counts as not reachable: tried again later. */
            snprintf(why, why_size, "%s", reply ? reply->str : ctx->errstr);
            if (reply) freeReplyObject(reply);
            disconnect(q);
            return 0;
        }
        bool ok = text_is(reply, "OK") ||
                  (reply->type == REDIS_REPLY_ERROR && reply->str && strncmp(reply->str, "BUSYGROUP", 9) == 0);
        if (!ok && i == 1 && reply->type == REDIS_REPLY_ERROR && reply->str && strncmp(reply->str, "OOM", 3) == 0) {
            /* A server out of memory (maxmemory, noeviction) refuses to
             * make even a group that exists. The stream is made with its
             * group: when it is there, carry on, so that what needs no
             * memory (a status, a claim) still works. */
            const char *exists_argv[] = {"EXISTS", "reelay:jobs"};
            redisReply *exists = redisCommandArgv(ctx, 2, exists_argv, NULL);
            ok = exists && exists->type == REDIS_REPLY_INTEGER && exists->integer == 1;
            if (exists) freeReplyObject(exists);
        }
        int rc = REELAY_OK;
        if (!ok && reply->type == REDIS_REPLY_ERROR && reply->str && strncmp(reply->str, "NOAUTH", 6) == 0)
            rc = reelay_err_set(err, REELAY_E_IO,
                                "redis at %s needs a password: set REELAY_REDIS_PASSWORD (and REELAY_REDIS_USER for an "
                                "ACL user)", q->address);
        else if (!ok)
            rc = unexpected(q, steps[i].what, reply, err);
        freeReplyObject(reply);
        if (rc != REELAY_OK) {
            disconnect(q);
            return rc;
        }
    }
    return 1;
}

/* Connected, or trying again with backoff until its deadline. */
static int ensure_connected(redis_queue *q, backoff *b, reelay_err *err)
{
    if (q->ctx && !q->ctx->err) return REELAY_OK;
    disconnect(q);
    char why[256] = "";
    for (;;) {
        int got = connect_once(q, why, sizeof why, err);
        if (got == 1) return REELAY_OK;
        if (got != 0) return got;
        if (!backoff_wait(b))
            return reelay_err_set(err, REELAY_E_IO, "redis at %s: cannot connect for %.0f s: %s", q->address,
                                  q->wait_s, why);
    }
}

/* Sends a command and gets its reply (never an error reply: those become
 * REELAY_E_IO naming `what`). A connection lost on the way is reopened and
 * the command sent again; *resent then tells the caller its first sending
 * may have been carried out. A "not now" reply (transient_reply) is sent
 * again after a delay, until the queue's wait runs out. */
static int command(redis_queue *q, const char *what, int argc, const char **argv, const size_t *lens,
                   redisReply **out, bool *resent, reelay_err *err)
{
    *out = NULL;
    if (resent) *resent = false;
    backoff b = backoff_start(q);
    bool recreated_group = false, lost_before = false;
    for (;;) {
        int rc = ensure_connected(q, &b, err);
        if (rc != REELAY_OK) return rc;
        redisReply *reply = redisCommandArgv(q->ctx, argc, argv, lens);
        if (!reply) {
            /* Lost (or silent past the timeout): a fresh connection, at
             * once the first time, after a delay when it keeps happening
             * (a server that drops every connection). */
            char why[128];
            snprintf(why, sizeof why, "%s", q->ctx->errstr);
            disconnect(q);
            if (resent) *resent = true;
            if (lost_before && !backoff_wait(&b))
                return reelay_err_set(err, REELAY_E_IO, "redis at %s: %s failed for %.0f s: %s", q->address, what,
                                      q->wait_s, why);
            lost_before = true;
            continue;
        }
        if (transient_reply(reply)) {
            char last[300];
            snprintf(last, sizeof last, "%s", reply->str);
            freeReplyObject(reply);
            if (!backoff_wait(&b))
                return reelay_err_set(err, REELAY_E_IO, "redis at %s: %s failed for %.0f s: %s", q->address, what,
                                      q->wait_s, last);
            continue;
        }
        if (reply->type == REDIS_REPLY_ERROR && reply->str && strstr(reply->str, "NOGROUP") && !recreated_group) {
            /* The stream was deleted under us: the next connection makes
             * the group again, and the command goes once more. */
            freeReplyObject(reply);
            disconnect(q);
            recreated_group = true;
            continue;
        }
        if (reply->type == REDIS_REPLY_ERROR) {
            rc = unexpected(q, what, reply, err);
            freeReplyObject(reply);
            return rc;
        }
        *out = reply;
        return REELAY_OK;
    }
}

/* EVAL script 0 args... */
static int eval(redis_queue *q, const char *what, const char *script, int nargs, const char *const *args,
                redisReply **out, bool *resent, reelay_err *err)
{
    const char *argv[12];
    if (nargs + 3 > (int)(sizeof argv / sizeof argv[0]))
        return reelay_err_set(err, REELAY_E_INTERNAL, "too many script arguments");
    argv[0] = "EVAL";
    argv[1] = script;
    argv[2] = "0";
    for (int i = 0; i < nargs; i++) argv[3 + i] = args[i];
    return command(q, what, nargs + 3, argv, NULL, out, resent, err);
}

static void redis_close(void *impl)
{
    redis_queue *q = impl;
    if (!q) return;
    /* Tidy the group's consumer list, if the connection still works; no
     * reconnecting on the way out. */
    if (q->ctx && !q->ctx->err) {
        const char *argv[] = {"EVAL", FORGET_LUA, "0", q->consumer};
        redisReply *reply = redisCommandArgv(q->ctx, 4, argv, NULL);
        if (reply) freeReplyObject(reply);
    }
    disconnect(q);
    explicit_bzero(q->password, sizeof q->password);
    free(q);
}

/* Reads a decimal number of digits only, within [lo, hi]. */
static bool parse_number(const char *s, size_t len, long lo, long hi, int *out)
{
    if (len == 0 || len > 10) return false;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi) return false;
    *out = (int)v;
    return true;
}

/* "[[USER]:PASSWORD@]HOST:PORT[/DB]"; HOST a name or address, an IPv6
 * address in brackets. Without a password in the spec, the environment's
 * REELAY_REDIS_USER and REELAY_REDIS_PASSWORD. */
static int parse_address(const char *spec, redis_queue *q, reelay_err *err)
{
    const char *expected = "expected redis://[[USER]:PASSWORD@]HOST:PORT[/DB]";
    const char *at = strrchr(spec, '@');
    if (at) {
        const char *colon = memchr(spec, ':', (size_t)(at - spec));
        size_t user_len = colon ? (size_t)(colon - spec) : 0;
        size_t password_len = colon ? (size_t)(at - colon - 1) : 0;
        if (!colon || password_len == 0 || user_len >= sizeof q->user || password_len >= sizeof q->password)
            return reelay_err_set(err, REELAY_E_USAGE, "bad queue redis://…@%s: %s (a password after ':')", at + 1,
                                  expected);
        memcpy(q->user, spec, user_len);
        memcpy(q->password, colon + 1, password_len);
        spec = at + 1;
    } else {
        const char *user = getenv("REELAY_REDIS_USER"), *password = getenv("REELAY_REDIS_PASSWORD");
        if (password && password[0]) {
            if (strlen(password) >= sizeof q->password || (user && strlen(user) >= sizeof q->user))
                return reelay_err_set(err, REELAY_E_USAGE, "REELAY_REDIS_PASSWORD or REELAY_REDIS_USER is too long");
            snprintf(q->password, sizeof q->password, "%s", password);
            snprintf(q->user, sizeof q->user, "%s", user ? user : "");
        }
    }
    const char *host = spec, *host_end, *rest;
    if (*spec == '[') {
        host = spec + 1;
        host_end = strchr(host, ']');
        if (!host_end || host_end[1] != ':')
            return reelay_err_set(err, REELAY_E_USAGE, "bad queue 'redis://%s': %s (an IPv6 address in [])", spec,
                                  expected);
        rest = host_end + 2;
    } else {
        host_end = strchr(spec, ':');
        if (!host_end)
            return reelay_err_set(err, REELAY_E_USAGE, "bad queue 'redis://%s': %s (the port is missing)", spec,
                                  expected);
        rest = host_end + 1;
    }
    size_t host_len = (size_t)(host_end - host);
    if (host_len == 0 || host_len >= sizeof q->host)
        return reelay_err_set(err, REELAY_E_USAGE, "bad queue 'redis://%s': %s (bad host)", spec, expected);
    for (const char *p = host; p < host_end; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                  *p == '-' || *p == '_' || (*spec == '[' && *p == ':');
        if (!ok)
            return reelay_err_set(err, REELAY_E_USAGE, "bad queue 'redis://%s': %s (bad host)", spec, expected);
    }
    memcpy(q->host, host, host_len);
    q->host[host_len] = '\0';
    const char *slash = strchr(rest, '/');
    size_t port_len = slash ? (size_t)(slash - rest) : strlen(rest);
    if (!parse_number(rest, port_len, 1, 65535, &q->port))
        return reelay_err_set(err, REELAY_E_USAGE, "bad queue 'redis://%s': %s (the port is 1 to 65535)", spec,
                              expected);
    q->db = 0;
    if (slash && !parse_number(slash + 1, strlen(slash + 1), 0, INT_MAX, &q->db))
        return reelay_err_set(err, REELAY_E_USAGE, "bad queue 'redis://%s': %s (DB is a database number)", spec,
                              expected);
    snprintf(q->address, sizeof q->address, "%s%s%s:%d/%d", *spec == '[' ? "[" : "", q->host,
             *spec == '[' ? "]" : "", q->port, q->db);
    return REELAY_OK;
}

static const reelay_queue_ops REDIS_OPS;

int reelay_queue_redis_open(const char *spec, double lease_s, double wait_s, const reelay_queue_ops **ops,
                            void **impl, reelay_err *err)
{
    redis_queue *q = calloc(1, sizeof *q);
    if (!q) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    int rc = parse_address(spec, q, err);
    if (rc != REELAY_OK) {
        free(q);
        return rc;
    }
    q->lease_ms = (long long)(lease_s * 1000.0);
    q->wait_s = wait_s;
    /* One consumer per queue handle: host and process tell an operator
     * whose it is; the clock tells apart two handles in one process. */
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0]) snprintf(host, sizeof host, "unknown");
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(q->consumer, sizeof q->consumer, "%s:%ld:%llx", host, (long)getpid(),
             (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec);
    backoff b = backoff_start(q);
    rc = ensure_connected(q, &b, err);
    if (rc != REELAY_OK) {
        redis_close(q);
        return rc;
    }
    *ops = &REDIS_OPS;
    *impl = q;
    return REELAY_OK;
}

/* Runs a script whose last argument is the "resent" flag. When the
 * connection broke after sending, the server may have run the script before
 * the copy sent again; that copy then finds the script's own effect and
 * refuses (a duplicate id, a claim no longer pending). Such a refusal is
 * asked once more with the flag set, and the script checks whether what
 * it finds is its own doing (same job text, same result) before refusing. */
static int eval_resendable(redis_queue *q, const char *what, const char *script, int nargs, const char **args,
                           const char *refusal, redisReply **reply, reelay_err *err)
{
    bool resent = false;
    args[nargs - 1] = "0";
    int rc = eval(q, what, script, nargs, args, reply, &resent, err);
    if (rc == REELAY_OK && resent && is_text(*reply) && strncmp((*reply)->str, refusal, strlen(refusal)) == 0) {
        freeReplyObject(*reply);
        *reply = NULL;
        args[nargs - 1] = "1";
        rc = eval(q, what, script, nargs, args, reply, NULL, err);
    }
    return rc;
}

/* The files a job writes as a JSON array (malloc'd), NULL when out of
 * memory. */
static char *outputs_text(const reelay_job_output_names *outputs)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < outputs->count; i++) {
        if (json_array_append_new(list, json_string(outputs->name[i])) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    char *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    return text;
}

/* {"owned", INDEX, OWNER}: a file of the job is another job's. */
static int output_owned(const redis_queue *q, const redisReply *reply, const reelay_job_output_names *outputs,
                        reelay_err *err)
{
    redisReply **e = reply->element;
    if (reply->elements != 3 || !text_is(e[0], "owned") || e[1]->type != REDIS_REPLY_INTEGER || e[1]->integer < 1 ||
        (size_t)e[1]->integer > outputs->count || !is_text(e[2]))
        return unexpected(q, "submit", reply, err);
    int rc = reelay_err_set(err, REELAY_E_USAGE, "output %s belongs to job %s", outputs->name[e[1]->integer - 1],
                            e[2]->str);
    reelay_err_mark(err, REELAY_ERR_LASTING);
    return rc;
}

static int redis_submit(void *impl, json_t *doc, const char *id, reelay_err *err)
{
    redis_queue *q = impl;
    reelay_job_output_names *names = malloc(sizeof *names);
    if (names) reelay_job_output_names_of(doc, names);
    char *text = json_dumps(doc, JSON_COMPACT), *outputs = names ? outputs_text(names) : NULL;
    if (!text || !outputs) {
        free(names);
        free(text);
        free(outputs);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    const char *args[] = {id, text, outputs, NULL};
    redisReply *reply = NULL;
    int rc = eval_resendable(q, "submit", SUBMIT_LUA, 4, args, "exists ", &reply, err);
    free(text);
    free(outputs);
    if (rc != REELAY_OK) {
        free(names);
        return rc;
    }
    if (text_is(reply, "ok"))
        rc = REELAY_OK;
    else if (is_text(reply) && strncmp(reply->str, "exists ", 7) == 0)
        rc = reelay_err_set(err, REELAY_E_USAGE, "job %s is already in the queue (%s)", id, reply->str + 7);
    else if (reply->type == REDIS_REPLY_ARRAY)
        rc = output_owned(q, reply, names, err);
    else
        rc = unexpected(q, "submit", reply, err);
    freeReplyObject(reply);
    free(names);
    return rc;
}

/* A failed result for a job that ran out of attempts, as text. */
static char *dead_result(const redis_queue *q, const char *id, int attempts)
{
    reelay_job_result r = {.status = REELAY_JOB_FAILED, .attempts = attempts, .error_code = REELAY_E_INTERNAL};
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.error_message, sizeof r.error_message,
             "no heartbeat for %.0f s after %d attempts: its workers died or hung", (double)q->lease_ms / 1000.0,
             attempts);
    json_t *doc = reelay_job_result_to_json(&r);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}

/* Dead-letters a claimed entry: a job out of attempts (failed, with its
 * result), or an entry without a valid id (only moved aside). */
static int bury(redis_queue *q, const redisReply *entry, const redisReply *id, const redisReply *job, int attempt,
                bool bad, reelay_err *err)
{
    char reason[256];
    char *result = NULL;
    if (bad) {
        snprintf(reason, sizeof reason, "the stream entry has no valid job id");
    } else {
        snprintf(reason, sizeof reason, "delivered %d times without finishing", attempt - 1);
        if (!(result = dead_result(q, id->str, attempt - 1)))
            return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    const char *args[] = {entry->str, id->str, job->str, reason, result ? result : "", q->consumer};
    redisReply *reply = NULL;
    int rc = eval(q, "dead-lettering", BURY_LUA, 6, args, &reply, NULL, err);
    free(result);
    if (rc != REELAY_OK) return rc;
    /* "gone": another worker took it meanwhile; it is theirs to handle. */
    if (!text_is(reply, "ok") && !text_is(reply, "gone")) rc = unexpected(q, "dead-lettering", reply, err);
    freeReplyObject(reply);
    return rc;
}

static int redis_claim(void *impl, reelay_claim *claim, bool *got, reelay_err *err)
{
    redis_queue *q = impl;
    char lease[32], max[16];
    snprintf(lease, sizeof lease, "%lld", q->lease_ms);
    snprintf(max, sizeof max, "%d", REELAY_QUEUE_MAX_ATTEMPTS);
    const char *args[] = {q->consumer, lease, max};
    /* Each dead-lettered entry leaves one fewer: the loop ends. */
    for (;;) {
        redisReply *reply = NULL;
        int rc = eval(q, "claim", CLAIM_LUA, 3, args, &reply, NULL, err);
        if (rc != REELAY_OK) return rc;
        if (reply->type == REDIS_REPLY_NIL) {
            freeReplyObject(reply);
            return REELAY_OK;
        }
        redisReply **e = reply->element;
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 5 || !is_text(e[0]) || !is_text(e[1]) ||
            !is_text(e[2]) || e[3]->type != REDIS_REPLY_INTEGER || !is_text(e[4])) {
            rc = unexpected(q, "claim", reply, err);
            freeReplyObject(reply);
            return rc;
        }
        int attempt = e[3]->integer > INT_MAX ? INT_MAX : (int)e[3]->integer;
        bool bad = strcmp(e[4]->str, "bad") == 0 || !reelay_job_id_valid(e[1]->str);
        if (bad || strcmp(e[4]->str, "dead") == 0) {
            rc = bury(q, e[0], e[1], e[2], attempt, bad, err);
            freeReplyObject(reply);
            if (rc != REELAY_OK) return rc;
            continue;
        }
        if (strcmp(e[4]->str, "run") != 0) {
            rc = unexpected(q, "claim", e[4], err);
            freeReplyObject(reply);
            return rc;
        }
        if (!(claim->backend = strdup(e[0]->str))) {
            freeReplyObject(reply);
            return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
        }
        *got = true;
        snprintf(claim->id, sizeof claim->id, "%s", e[1]->str);
        claim->attempts = attempt;
        json_error_t jerr;
        claim->doc = json_loadb(e[2]->str, e[2]->len, JSON_REJECT_DUPLICATES, &jerr);
        if (!claim->doc)
            snprintf(claim->problem, sizeof claim->problem, "job %s in redis:%d:%d: %s", claim->id, jerr.line,
                     jerr.column, jerr.text);
        freeReplyObject(reply);
        return REELAY_OK;
    }
}

/* Flagged so that a worker tells "stop, it is someone else's" from "the
 * server is unreachable, keep the result and try again". */
static int lost_claim(const redis_queue *q, const reelay_claim *claim, reelay_err *err)
{
    int rc = reelay_err_set(err, REELAY_E_IO,
                            "job %s: lost the claim: it expired and went to another worker, or redis at %s lost it",
                            claim->id, q->address);
    reelay_err_mark(err, REELAY_ERR_LOST_CLAIM);
    return rc;
}

static int redis_heartbeat(void *impl, const reelay_claim *claim, reelay_err *err)
{
    redis_queue *q = impl;
    if (!claim->backend) return reelay_err_set(err, REELAY_E_INTERNAL, "job %s: not a redis claim", claim->id);
    const char *args[] = {claim->backend, q->consumer};
    redisReply *reply = NULL;
    int rc = eval(q, "heartbeat", HEARTBEAT_LUA, 2, args, &reply, NULL, err);
    if (rc != REELAY_OK) return rc;
    if (text_is(reply, "lost"))
        rc = lost_claim(q, claim, err);
    else if (!text_is(reply, "ok"))
        rc = unexpected(q, "heartbeat", reply, err);
    freeReplyObject(reply);
    return rc;
}

static int redis_complete(void *impl, reelay_claim *claim, const reelay_job_result *result, reelay_err *err)
{
    redis_queue *q = impl;
    if (!claim->backend) return reelay_err_set(err, REELAY_E_INTERNAL, "job %s: not a redis claim", claim->id);
    json_t *doc = reelay_job_result_to_json(result);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    const char *args[] = {claim->backend, claim->id, q->consumer,
                          result->status == REELAY_JOB_DONE ? "done" : "failed", text, NULL};
    redisReply *reply = NULL;
    int rc = eval_resendable(q, "complete", COMPLETE_LUA, 6, args, "lost", &reply, err);
    free(text);
    if (rc != REELAY_OK) {
        /* The script changes all or nothing: the entry is still pending. */
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return reelay_err_set(err, rc,
                              "%.900s; the job stays claimed and goes back to the queue when its lease runs out", why);
    }
    if (text_is(reply, "lost"))
        rc = lost_claim(q, claim, err);
    else if (!text_is(reply, "ok"))
        rc = unexpected(q, "complete", reply, err);
    freeReplyObject(reply);
    return rc;
}

static int redis_requeue(void *impl, reelay_claim *claim, bool uncount, reelay_err *err)
{
    redis_queue *q = impl;
    if (!claim->backend) return reelay_err_set(err, REELAY_E_INTERNAL, "job %s: not a redis claim", claim->id);
    /* claim->attempts counts this claim; handed back untouched, it does not. */
    int carried = uncount ? claim->attempts - 1 : claim->attempts;
    char carried_text[16];
    snprintf(carried_text, sizeof carried_text, "%d", carried < 0 ? 0 : carried);
    const char *args[] = {claim->backend, claim->id, q->consumer, carried_text, NULL};
    redisReply *reply = NULL;
    int rc = eval_resendable(q, "requeue", REQUEUE_LUA, 5, args, "lost", &reply, err);
    if (rc != REELAY_OK) return rc;
    if (text_is(reply, "lost"))
        rc = lost_claim(q, claim, err);
    else if (!text_is(reply, "ok"))
        rc = unexpected(q, "requeue", reply, err);
    freeReplyObject(reply);
    return rc;
}

static int redis_status(void *impl, const char *id, reelay_job_state *state, json_t **result, reelay_err *err)
{
    redis_queue *q = impl;
    char key[128];
    snprintf(key, sizeof key, "reelay:job:%s", id);
    const char *argv[] = {"HMGET", key, "status", "result"};
    redisReply *reply = NULL;
    int rc = command(q, "status", 4, argv, NULL, &reply, NULL, err);
    if (rc != REELAY_OK) return rc;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        rc = unexpected(q, "status", reply, err);
        freeReplyObject(reply);
        return rc;
    }
    const redisReply *status = reply->element[0], *text = reply->element[1];
    static const struct {
        const char *name;
        reelay_job_state state;
    } states[] = {{"queued", REELAY_STATE_QUEUED},
                  {"running", REELAY_STATE_RUNNING},
                  {"done", REELAY_STATE_DONE},
                  {"failed", REELAY_STATE_FAILED}};
    if (status->type != REDIS_REPLY_NIL) {
        size_t i = 0;
        while (i < sizeof states / sizeof states[0] && !text_is(status, states[i].name)) i++;
        if (i < sizeof states / sizeof states[0])
            *state = states[i].state;
        else
            rc = unexpected(q, "status", status, err);
    }
    bool finished = *state == REELAY_STATE_DONE || *state == REELAY_STATE_FAILED;
    if (rc == REELAY_OK && result && finished && is_text(text)) *result = json_loadb(text->str, text->len, 0, NULL);
    freeReplyObject(reply);
    return rc;
}

static int redis_counts(void *impl, reelay_queue_counts *c, reelay_err *err)
{
    redis_queue *q = impl;
    redisReply *reply = NULL;
    int rc = eval(q, "counts", COUNTS_LUA, 0, NULL, &reply, NULL, err);
    if (rc != REELAY_OK) return rc;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 4) {
        rc = unexpected(q, "counts", reply, err);
        freeReplyObject(reply);
        return rc;
    }
    long *fields[] = {&c->queued, &c->running, &c->done, &c->failed};
    for (size_t i = 0; i < 4; i++) {
        if (reply->element[i]->type != REDIS_REPLY_INTEGER) {
            rc = unexpected(q, "counts", reply->element[i], err);
            break;
        }
        *fields[i] = (long)reply->element[i]->integer;
    }
    freeReplyObject(reply);
    return rc;
}

/* The server's clock in ms: finish times and stream ids are on it. */
static int server_time_ms(redis_queue *q, long long *ms, reelay_err *err)
{
    const char *argv[] = {"TIME"};
    redisReply *reply = NULL;
    int rc = command(q, "TIME", 1, argv, NULL, &reply, NULL, err);
    if (rc != REELAY_OK) return rc;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || !is_text(reply->element[0]) ||
        !is_text(reply->element[1])) {
        rc = unexpected(q, "TIME", reply, err);
    } else {
        *ms = strtoll(reply->element[0]->str, NULL, 10) * 1000 + strtoll(reply->element[1]->str, NULL, 10) / 1000;
    }
    freeReplyObject(reply);
    return rc;
}

/* One retention batch: adds the jobs it forgot to *removed, *more when
 * there may be more to do. */
static int trim_batch(redis_queue *q, const char *const *args, long *removed, bool *more, reelay_err *err)
{
    redisReply *reply = NULL;
    int rc = eval(q, "trim", TRIM_LUA, 3, args, &reply, NULL, err);
    if (rc != REELAY_OK) return rc;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || reply->element[0]->type != REDIS_REPLY_INTEGER ||
        reply->element[1]->type != REDIS_REPLY_INTEGER) {
        rc = unexpected(q, "trim", reply, err);
    } else {
        *removed += (long)reply->element[0]->integer;
        *more = reply->element[1]->integer != 0;
    }
    freeReplyObject(reply);
    return rc;
}

static int redis_trim(void *impl, double older_than_s, long *removed, reelay_err *err)
{
    redis_queue *q = impl;
    long long now = 0;
    int rc = server_time_ms(q, &now, err);
    if (rc != REELAY_OK) return rc;
    /* One cutoff for every batch: jobs finishing meanwhile do not keep the
     * loop going. */
    double cut = (double)now - older_than_s * 1000.0;
    char cutoff[32], batch[16], lease[32];
    snprintf(cutoff, sizeof cutoff, "%lld", cut > 0 ? (long long)cut : 0LL);
    snprintf(batch, sizeof batch, "%d", TRIM_BATCH);
    snprintf(lease, sizeof lease, "%lld", q->lease_ms);
    const char *args[] = {cutoff, batch, lease};
    for (bool more = true; more;) {
        rc = trim_batch(q, args, removed, &more, err);
        if (rc != REELAY_OK) return rc;
    }
    return REELAY_OK;
}

static const reelay_queue_ops REDIS_OPS = {
    .name = "redis",
    .submit = redis_submit,
    .claim = redis_claim,
    .heartbeat = redis_heartbeat,
    .complete = redis_complete,
    .requeue = redis_requeue,
    .status = redis_status,
    .counts = redis_counts,
    .trim = redis_trim,
    .close = redis_close,
};
