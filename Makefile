# finch-java: the two commands a user needs are `make demo` and `make test`.
JAVA_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
export JAVA_HOME
MVN := ./mvnw -B
.PHONY: build test demo install-deps bench-index bench-lazy reference-soci clean

build:
	$(MVN) -q -DskipTests package
	scripts/make-launchers

install-deps:
	scripts/install-deps

# Unit + integration + end-to-end tests (real registry, containerd, runc, FUSE).
test: install-deps build reference-soci
	$(MVN) verify

demo: install-deps build
	scripts/demo

reference-soci:
	scripts/fetch-reference-soci

bench-index: install-deps build reference-soci
	scripts/bench-index

# Plain vs our lazy vs the reference 0.4.1 lazy pull+run of a 512 MiB image under a loopback bandwidth limit (tc tbf).
bench-lazy: install-deps build reference-soci
	scripts/bench-lazy

clean:
	$(MVN) -q clean
	rm -rf build
