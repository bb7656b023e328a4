# finch-java: the two commands a user needs are `make demo` and `make test`.
JAVA_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
export JAVA_HOME
MVN := ./mvnw -B
# The containerd builds after the first (this machine's own 1.6) in scripts/containerd-versions.
CONTAINERD_MATRIX := $(shell awk '!/^\#/ && NF == 3 && $$2 != "system" { print $$1 }' scripts/containerd-versions)
.PHONY: build test test-containerd-matrix fuzz demo install-deps containerd guest guest-image deb bench-vm bench-index bench-lazy bench-apps bench-push bench-warm reference-soci soak clean

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

# Every parser of untrusted input fuzzed for FUZZ_SECONDS each (19 targets: >= 10 minutes in all),
# then a table of inputs and findings per target; `make test` runs the same tests as a smoke of
# about 60 s (testkit's Fuzzer.DEFAULT_SECONDS per target). Findings: */target/fuzz-findings/.
FUZZ_SECONDS ?= 33
fuzz:
	@rm -f config/target/fuzz/summary.tsv guest-snapshotter/target/fuzz/summary.tsv
	@status=0; \
	$(MVN) test -pl config,guest-snapshotter -am -fae -Dtest='FinchYamlFuzzTest,ParserFuzzTest' \
	  -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.seconds=$(FUZZ_SECONDS) || status=$$?; \
	cat config/target/fuzz/summary.tsv guest-snapshotter/target/fuzz/summary.tsv 2>/dev/null | \
	  awk -F'\t' 'BEGIN { printf "\n%-16s %12s %9s %8s\n", "target", "inputs", "findings", "seconds" } \
	    { printf "%-16s %12d %9d %8.1f\n", $$1, $$2, $$3, $$4; n += $$2; f += $$3; t += $$4 } \
	    END { printf "%-16s %12d %9d %8.1f\n", "total", n, f, t }'; \
	exit $$status

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

# Warm reads (every span cached) of a 50,000-file, 1.1 GB layer, lazily mounted, against overlayfs:
# a metadata walk and a full read, with the kernel's caches dropped and kept; medians of 3.
bench-warm: install-deps build
	scripts/bench-warm

bench-index: install-deps build reference-soci
	scripts/bench-index

# Plain vs our lazy vs the reference 0.4.1 lazy pull+run of a 512 MiB image under a loopback bandwidth limit (tc tbf).
bench-lazy: install-deps build reference-soci
	scripts/bench-lazy

# The same three tools (and ours with a recorded prefetch) on images that look like real ones: python
# and perl service images built from Debian packages, a 35-layer image and the random-data image of
# record -> replay; with the bytes served, the
# bytes the start touched and the daemons' peak RSS (scripts/bench-apps --help; images cached).
bench-apps: install-deps build reference-soci
	scripts/bench-apps

# `finch push` of a fresh 3-layer ~380 MB image, plain vs --snapshotter soci, unlimited and at 200 Mbit/s (tc tbf on lo).
bench-push: install-deps build
	scripts/bench-push

# The soak (about 15 minutes with set-up; not part of `make test`): 100 containers over 10 minutes
# from 5 lazily loaded images through testkit's FaultProxy switching random faults on and off, the
# daemon a separate process whose RSS, threads and fds are sampled every 10 s (DaemonSoak).
soak: install-deps
	CI=true $(MVN) verify -pl guest-snapshotter -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=DaemonSoak

clean:
	$(MVN) -q clean
	rm -rf build
