# reelay: a slim runtime image of the CLI/worker.
# Package lists match scripts/install-deps.sh (BUILD_PACKAGES in the build
# stage, RUNTIME_PACKAGES plus the shared libraries in the final stage; npm
# only in the build stage, where it fetches rrweb's replayer).
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libavcodec-dev libavformat-dev libavutil-dev libswscale-dev \
      libcairo2-dev libpango1.0-dev libwebp-dev libjansson-dev zlib1g-dev \
      libhiredis-dev libmicrohttpd-dev libcurl4-openssl-dev \
      libwebkit2gtk-4.1-dev npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# rrweb's replayer for the web page engine: pinned and integrity-checked by
# the committed lockfile, no install scripts; not the dev dependencies
# (s3rver, the tests' S3 server).
COPY third_party/npm/package.json third_party/npm/package-lock.json ./third_party/npm/
RUN cd third_party/npm && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
COPY CMakeLists.txt ./
COPY src ./src
COPY renderers ./renderers
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DREELAY_TESTS=OFF \
 && cmake --build build -j"$(nproc)" \
 && cmake --install build --prefix /opt/reelay

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libavcodec59 libavformat59 libavutil57 libswscale6 \
      libcairo2 libpango-1.0-0 libpangocairo-1.0-0 libwebp7 libwebpmux3 libwebpdemux2 libjansson4 zlib1g \
      libhiredis0.14 libmicrohttpd12 libcurl4 ca-certificates \
      libwebkit2gtk-4.1-0 xvfb bubblewrap \
      fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --uid 10001 reelay
COPY --from=build /opt/reelay/bin/reelay /usr/local/bin/reelay
COPY --from=build /opt/reelay/libexec/reelay/reelay-page-engine /usr/local/libexec/reelay/reelay-page-engine
COPY --from=build /opt/reelay/share/reelay/web /usr/local/share/reelay/web
COPY fixtures /usr/share/reelay/fixtures
USER reelay
WORKDIR /home/reelay
ENTRYPOINT ["reelay"]
CMD ["help"]
