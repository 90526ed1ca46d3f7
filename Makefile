# The two entry points on a fresh Debian machine:
#   make demo   installs what is missing, builds the optimized binary, runs the shipped scenario
#   make test   installs what is missing, builds with ASan+UBSan, runs every test under them
# Builds take a lock (/tmp/faultline-build.lock) so that two checkouts never compile at once.

DEPS := cmake ninja-build g++ clang libclang-rt-14-dev pkgconf \
        libpq-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev libfmt-dev libyaml-cpp-dev \
        libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev libmicrohttpd-dev libssl-dev \
        libyaml-dev postgresql-15 postgresql-client-15 libsqlite3-dev faketime socat jq \
        util-linux procps iproute2 libnftables-dev etcd-server etcd-client libxml2-dev chromium \
        python3 docker-compose

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
LOCK := flock /tmp/faultline-build.lock
# The demo: the PostgreSQL scenario (primary, streaming replica, logical subscriber, faults), one
# history per template, two at a time: about a minute once built.
DEMO_SCENARIO ?= scenarios/postgres
DEMO_FLAGS ?= --seed 1 --duration 30s --histories 4 --jobs 2

.PHONY: deps demo test build-dev build-release bench fuzz format clean

deps:
	@missing=$$(for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build-dev: deps
	cmake --preset dev >/dev/null
	$(LOCK) cmake --build --preset dev

build-release: deps
	cmake --preset release >/dev/null
	$(LOCK) cmake --build --preset release

# Only what a run needs (faultline, faultline-full, the scenarios' programs): no test or benchmark.
demo: deps
	cmake --preset release >/dev/null
	$(LOCK) cmake --build --preset release --target faultline
	./build/release/bin/faultline run $(DEMO_SCENARIO) $(DEMO_FLAGS) --out runs

# Every test under ASan+UBSan, then the fault proxy's threaded tests under ThreadSanitizer (the
# `faultline proxy` command's tests run the binary and are not built there).
test: build-dev
	ctest --preset dev
	cmake --preset tsan >/dev/null
	$(LOCK) cmake --build --preset tsan --target net_test proxy_api_json
	ctest --test-dir build/tsan -R 'net|Net|Proxy|proxy' -E 'proxy_command' --output-on-failure -j 2

bench: build-release
	./bench/run-all

fuzz: deps
	cmake --preset fuzz >/dev/null
	$(LOCK) cmake --build --preset fuzz

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build
