# finch-java: the two commands a user needs are `make demo` and `make test`.
JAVA_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
export JAVA_HOME
MVN := ./mvnw -B
# The containerd builds after the first (this machine's own 1.6) in scripts/containerd-versions.
CONTAINERD_MATRIX := $(shell awk '!/^\#/ && NF == 3 && $$2 != "system" { print $$1 }' scripts/containerd-versions)
.PHONY: build test test-containerd-matrix demo install-deps containerd guest guest-image deb bench-vm bench-index bench-lazy reference-soci clean

build:
	$(MVN) -q -DskipTests package
	scripts/make-launchers

install-deps:
	scripts/install-deps

# Unit + integration + end-to-end tests (real registry, containerd, runc, FUSE) against the system
# containerd 1.6, then every integration and e2e test again against each newer containerd.
test: install-deps build reference-soci containerd guest guest-image deb
	$(MVN) verify
	$(MAKE) --no-print-directory test-containerd-matrix

# The integration and e2e tests (failsafe, *IT) against containerd 1.7 and 2.x, one pass each; the
# unit tests do not depend on containerd and ran in `make test`'s first pass, and so did the VM test
# (VmQemuIT: its guest has its own containerd) and the .deb install test (DebPackageIT).
test-containerd-matrix: containerd
	@set -e; for v in $(CONTAINERD_MATRIX); do \
	  echo "=== integration and e2e tests against containerd $$v"; \
	  $(MVN) verify -Dfinch.containerd=$$v -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false '-Dit.test=*IT,!VmQemuIT,!DebPackageIT'; \
	done

containerd:
	scripts/fetch-containerd

# The guest bundle, build/guest/finch-guest.tar.gz: jlinked runtime, jars, relocatable launchers,
# AOT caches, the daemon's unit/config/containerd block, MANIFEST with sha256s.
guest: build
	installers/build-guest-bundle

# The Debian 12 guest VM image (disk.raw, kernel, initrd, WSL rootfs tarball) built from Debian
# packages, cached under /var/tmp/finch-guest-image/ by its inputs and linked as build/os/guest-image;
# needs root. installers/image/boot-smoke boots it once to check it.
guest-image: install-deps
	mkdir -p build/os
	ln -sfn "$$(installers/image/build-guest-image | tail -n 1)" build/os/guest-image

# The Linux package, build/deb/finch_VERSION_amd64.deb: finch, soci and the daemon on the bundle's
# runtime, the unit, dependencies declared (installers/build-deb).
deb: build guest
	installers/build-deb

# The VM measurements (init, start, lazy vs plain run, daemon RSS): VmQemuIT three times, medians.
bench-vm: install-deps build guest guest-image
	scripts/bench-vm

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
