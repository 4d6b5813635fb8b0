/* clock.h — time and the machine, as the rest of reelay asks for them.
 * Owns: the monotonic clock used for durations and deadlines, interruptible
 * sleeps, and the number of CPUs to size thread pools by. */
#ifndef REELAY_CORE_CLOCK_H
#define REELAY_CORE_CLOCK_H

/* Seconds on the monotonic clock (for durations, not dates). */
double reelay_monotonic_s(void);

/* Sleeps s seconds; a signal cuts it short (so a stop request is seen at
 * once, and an early retry does no harm). */
void reelay_sleep_s(double s);

/* Online CPUs, clamped to 1..64. */
int reelay_online_cpus(void);

#endif
