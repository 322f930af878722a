# scale.mk — the sharded stages as make targets, each run by lctk-array.sh with
# SHARDS tasks on the scheduler SCHEDULER (local, parallel or slurm; see
# lctk-array.sh and lctk-scale(7)):
#
#   make -f scale.mk SCHEDULER=slurm SHARDS=16 CORPUS=wiki.jsonl.zst OUT=work
#   make -f scale.mk SCHEDULER=parallel OUT=work work/corpus.idx
#
# Targets in OUT: corpus.idx (BM25 index of CORPUS) and dd/ (Dataset
# Decomposition of CORPUS, DD_OPTS).  Each stage's parts, task logs, task.sh and
# merge.sh stay in OUT/NAME.parts (re-run one task by hand: `sh task.sh K`, or
# with sbatch --array=K; then `sh merge.sh`).  BIN=DIR takes the programs from
# DIR instead of PATH (BIN=build/bin in the source tree).
SCHEDULER ?= local
SHARDS    ?= 4
RECIPES   := $(dir $(lastword $(MAKEFILE_LIST)))
CORPUS    ?= $(RECIPES)../data/hotpotqa/corpus.jsonl
OUT       ?= scale-out
INDEX_OPTS ?=
DD_OPTS   ?= -e cl100k_base -f passage_text
BIN       ?=
ARRAY      = $(if $(BIN),PATH="$(abspath $(BIN)):$$PATH") sh $(RECIPES)lctk-array.sh -s $(SCHEDULER) -n $(SHARDS)

.PHONY: all
all: $(OUT)/corpus.idx $(OUT)/dd

$(OUT)/corpus.idx: $(CORPUS)
	@mkdir -p $(OUT)
	$(ARRAY) index $@ $(INDEX_OPTS) $(CORPUS)

$(OUT)/dd: $(CORPUS)
	@mkdir -p $(OUT)
	$(ARRAY) dd $@ $(DD_OPTS) $(CORPUS)
