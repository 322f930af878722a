# lctk — build, test, install.  `make` builds every cmd/lc*.c against libcore.
# `make demo` and `make check` are the README's two commands; both run `make deps` first.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/lctk
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
DESTDIR   ?=

CC        ?= cc
CFLAGS    ?= -O2 -g
# Warnings are errors by default (CI relies on it); `make WERROR=` builds a
# release with a newer compiler whose new warnings should not stop the build.
WERROR    ?= -Werror
WARN      := -Wall -Wextra $(WERROR) -Wshadow -Wno-unused-parameter
# Every compile writes a .d file of the headers it read (-MMD -MP): next to a
# lib object, under $(B)/deps/ for programs, tests and harnesses (never beside a
# binary, where globs like bin/lc* would see it).  The .d files are included
# below, so a header change rebuilds exactly what includes it.
DEPFLAGS   = -MMD -MP -MF $(B)/deps/$(@F).d
PKGS      := jansson libarchive zlib libpcre2-8 libcurl

# SAN=1 builds everything with ASan+UBSan into a separate tree.
ifeq ($(SAN),1)
B         ?= build-san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B         ?= build
SANFLAGS  :=
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -pthread $(LIB_INC) $(PKG_CFLAGS) \
              -DLCTK_VERSION='"$(VERSION)"' -DLCTK_DATADIR='"$(DATADIR)"'
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -pthread
LIBS        = $(PKG_LIBS) -lstemmer -lm

# lib/ is grouped into subsystems, one folder each (tests/layers.sh checks the
# order in which they may include one another); every folder is on the include path.
LIB_DIRS  := $(sort $(patsubst %/,%,$(dir $(wildcard lib/*/*.h))))
LIB_INC   := $(addprefix -I,$(LIB_DIRS))
LIB_SRC   := $(sort $(wildcard lib/*/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
CMD_SRC   := $(sort $(wildcard cmd/lc*.c))
PROGS     := $(CMD_SRC:cmd/%.c=$(B)/bin/%)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNITS     := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/tests/%)
MANS      := $(sort $(wildcard man/*.[1-9]))

.PHONY: all deps deps-build deps-test check units memcheck lint completions demo bench \
        install uninstall clean fuzz mutate refdiff refdiff-eval refdiff-tok
.SUFFIXES:

all: $(PROGS)

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libcore.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# --as-needed: a program loads only the libraries it calls, so one without an LLM
# endpoint does not load libcurl and its ~40 dependencies (lceval start-up 7.4 ->
# 2.6 ms CPU).  Debian's gcc passes it already; it is said here for toolchains that
# do not.  A program only avoids libcurl if it links nothing of lib/llm: lcindex
# did, through a size parser (now lib/core/size), and held 11.4 MB before any work
# instead of 5.8.
$(B)/bin/%: cmd/%.c $(B)/libcore.a
	@mkdir -p $(@D) $(B)/deps
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libcore.a -Wl,--as-needed $(LIBS)

# lceval's own files (cmd/lceval/*.c: its measure families and comparison tables)
# are linked into it alone.
LCEVAL_OBJ := $(patsubst cmd/%.c,$(B)/cmd/%.o,$(sort $(wildcard cmd/lceval/*.c)))
$(B)/cmd/lceval/%.o: cmd/lceval/%.c
	@mkdir -p $(@D) $(B)/deps
	$(CC) $(ALL_CFLAGS) -Icmd/lceval -MMD -MP -c -o $@ $<

# lceval, linked --as-needed as every program is (above).
$(B)/bin/lceval: cmd/lceval.c $(LCEVAL_OBJ) $(B)/libcore.a
	@mkdir -p $(@D) $(B)/deps
	$(CC) $(ALL_CFLAGS) -Icmd/lceval $(DEPFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LCEVAL_OBJ) $(B)/libcore.a -Wl,--as-needed $(LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libcore.a
	@mkdir -p $(@D) $(B)/deps
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(B)/libcore.a $(LIBS)

# Fuzz harnesses linked with a plain driver: seeds and past crashers replay in `make check`.
# (the driver is its own object: one compile, one .d file, per source)
$(B)/tests/fuzz-driver.o: tests/fuzz/driver.c
	@mkdir -p $(@D) $(B)/deps
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests/fuzz -c -o $@ $<

$(B)/tests/fuzz_%: tests/fuzz/fuzz_%.c $(B)/tests/fuzz-driver.o $(B)/libcore.a
	@mkdir -p $(@D) $(B)/deps
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests/fuzz $(ALL_LDFLAGS) -o $@ $< $(B)/tests/fuzz-driver.o $(B)/libcore.a $(LIBS)

# The fault-injection shim for robustness tests (not built with sanitizers).
$(B)/tests/faultinject.so: tests/faultinject.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -O2 -shared -fPIC -o $@ $< -ldl

-include $(LIB_OBJ:.o=.d) $(LCEVAL_OBJ:.o=.d) $(wildcard $(B)/deps/*.d)

# --- dependencies (Debian) -------------------------------------------------
DEB_BUILD := gcc make pkg-config libjansson-dev libarchive-dev zlib1g-dev \
             libpcre2-dev libstemmer-dev libcurl4-openssl-dev
DEB_TEST  := bats bats-assert bats-support mandoc perl python3 libarchive-tools \
             gnuplot-nox zstd xz-utils bzip2 zip valgrind parallel jq \
             slurmctld slurmd slurm-client munge
deps-build:
	@sh tests/deps.sh $(DEB_BUILD)
deps-test:
	@sh tests/deps.sh $(DEB_BUILD) $(DEB_TEST)
deps: deps-test

# --- tests ------------------------------------------------------------------
# One prove run over the C unit tests and every bats suite: its last lines are
# prove's summary ("Result: PASS").
# Each suite runs under a time limit (LCTK_SUITE_TIMEOUT s, default 900) and fails
# if it leaves a process running (tests/run-test); its name goes to stderr as it
# starts, and prove --timer gives each one's time when it ends.
check: deps-test
	@$(MAKE) -j2 --no-print-directory all units
	LCTK_BUILD=$(CURDIR)/$(B) prove --timer --exec $(CURDIR)/tests/run-test $(UNITS) $(sort $(wildcard tests/*.bats))

# Every bats suite with each program under valgrind memcheck (slow; not part of check).
# Errors or definite leaks exit 99; logs in $(B)/valgrind-logs/.  tests/run-test fails a
# suite with a memory error in any run's log, also a run expected to fail.  SUITES=... picks suites.
# A suite's time limit is 5400 s here (LCTK_SUITE_TIMEOUT overrides it).
SUITES ?= $(sort $(wildcard tests/*.bats))
# Suites run MEMCHECK_JOBS at a time: 2 and 3 measured the same on two cores (the
# clean-clone CI step, 490 tests: 1,541 s and 1,533 s wall), so 2, with less memory.
MEMCHECK_JOBS ?= 2
memcheck: all units
	rm -rf $(B)/valgrind-bin $(B)/valgrind-logs
	LCTK_VALGRIND=1 LCTK_BUILD=$(CURDIR)/$(B) LCTK_SUITE_TIMEOUT=$${LCTK_SUITE_TIMEOUT:-5400} \
		prove -j$(MEMCHECK_JOBS) --exec $(CURDIR)/tests/run-test $(SUITES)

# Differential tests against the references on seeded generated inputs (not part of
# check: minutes of CPU, and the tokenizer references come from npm): lceval against
# trec_eval 10.0 built from ../shared/refs, lctok against tiktoken and HF tokenizers.
refdiff: refdiff-eval refdiff-tok
refdiff-eval: all
	sh tests/refdiff/eval-diff.sh $(CURDIR)/$(B)/bin
refdiff-tok: all
	sh tests/refdiff/tok-diff.sh $(CURDIR)/$(B)/bin

# A mutation sweep (tests/mutate.sh; not part of check): mutants of FILES, each built in a
# scratch copy of the tree and run against SUITES; prints killed / survived / not compiled.
#   make mutate FILES="lib/eval/fuse.c" SUITES="tests/lcfuse.bats" [MAX=40]
MAX ?= 40
mutate:
	@test -n "$(FILES)" -a -n "$(SUITES)" || { echo 'usage: make mutate FILES="lib/x.c ..." SUITES="tests/x.bats unit/test_x ..." [MAX=40]' >&2; exit 2; }
	@bash tests/mutate.sh -n $(MAX) $(FILES) $(SUITES)

units: $(UNITS) $(FUZZ_REPLAY) $(if $(SANFLAGS),,$(B)/tests/faultinject.so)

lint: all
	@sh tests/lint.sh $(B)

completions: all
	@sh completions/generate.sh $(B)/bin completions

# --- demo -------------------------------------------------------------------
demo: deps-build
	@$(MAKE) --no-print-directory all
	@sh share/lctk/recipes/demo.sh $(B)/bin

bench: all
	@sh tests/bench/run.sh $(B)/bin

fuzz:
	@sh tests/fuzz/run.sh

# --- install ----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	cp -R share/lctk/. $(DESTDIR)$(DATADIR)
	for m in $(MANS); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
	  install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	install -m 644 completions/lctk.bash $(DESTDIR)$(BASHCOMPDIR)/lctk
	for p in $(notdir $(PROGS)); do ln -sf lctk $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	install -m 644 completions/_lctk $(DESTDIR)$(ZSHCOMPDIR)/_lctk

uninstall:
	for p in $(notdir $(PROGS)); do rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	for m in $(MANS); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(BASHCOMPDIR)/lctk $(DESTDIR)$(ZSHCOMPDIR)/_lctk

clean:
	rm -rf build build-san
