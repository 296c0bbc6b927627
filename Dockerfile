# coachbot: multi-stage build. rustls + ring only, so the runtime image needs no OpenSSL.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY config ./config
COPY bots ./bots
COPY benches ./benches
COPY tests ./tests
RUN cargo build --release --locked --bin coachbot

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin coachbot
WORKDIR /app
COPY --from=build /src/target/release/coachbot /usr/local/bin/coachbot
COPY config ./config
COPY bots ./bots
RUN mkdir -p /app/data && chown -R coachbot:coachbot /app
USER coachbot
ENV COACHBOT__HTTP__ADDR=0.0.0.0:8080
EXPOSE 8080
VOLUME ["/app/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["coachbot"]
CMD ["serve"]
