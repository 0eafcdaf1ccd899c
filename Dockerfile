# syntax=docker/dockerfile:1
# Build a static binary, then ship it alone with the bundled specs and fixtures.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY mockserver ./mockserver
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/mockserver ./cmd/mockserver

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/mockserver /usr/local/bin/mockserver
COPY specs ./specs
COPY fixtures ./fixtures
# Inside the container the mock must be reachable from the host: listen on all interfaces.
# Override the descriptions by mounting over /app/specs (and /app/fixtures).
ENV MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=4010
EXPOSE 4010
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/mockserver"]
