# color.mk — CoLoR (Seo et al., ACL 2025) end to end with lctk's embedded
# extractive compressor, for any LOFT dataset folder:
#   candidates -> BM25 labels -> preference pairs -> ORPO training ->
#   compression -> indexing -> retrieval -> evaluation -> charts.
#
#   make -f color.mk LOFT=DIR DATA=DIR/fiqa OUT=work/fiqa     (held out: fiqa left out)
#   make -f color.mk DATA=DIR OUT=DIR MODEL=FILE.lcm eval         (a model trained elsewhere)
#   make -f color.mk default-model LOFT=DIR
# (color.mk is in share/lctk/recipes of the installed tree or the source tree;
# BIN=DIR takes the programs from DIR instead of PATH, e.g. BIN=build/bin in
# the source tree.)
#
# DATA (default: the bundled hotpotqa sample) holds corpus.jsonl and queries.jsonl (LOFT), and optionally
# summaries/*.jsonl (pid + summary_text: LLM summaries, used as candidates and as
# rows of the comparison).  MODEL compresses DATA; its default is trained here:
#  - held out, when LOFT names a folder of LOFT dataset folders (each with
#    corpus.jsonl and queries.jsonl): on the pairs of every dataset in LOFT but
#    DATA (leave one dataset out; TRAIN lists them and can be set instead);
#  - in-sample otherwise: on DATA's own queries' pairs, so the figures measure
#    fit, not generalisation.  The bundled data is one dataset (hotpotqa), so
#    without LOFT no held-out default is possible (its 5 few-shot queries are
#    too few to train on; the shipped default.lcm was trained on hotpotqa too).
# table.txt and the charts say which: "held-out (trained on ...)",
# "in-sample (...)" or "given MODEL".  Same data + SEED -> byte-identical model
# and outputs.
#
# With an LLM (OpenAI-compatible server; answers cached, see lcgen(1)):
#   ENDPOINT=http://127.0.0.1:8080/v1 LLM_MODEL=NAME  adds the LLM's summary of every
#   passage to the candidates (llm:NAME); LLM_LABELS=1 also labels them with the LLM
#   reading the corpus in its prompt (lcgen labels --llm, DATA's few-shot queries),
#   LLM_CONTEXT=N limiting each prompt to the gold passages and BM25's top N others.
#
# SELECTION=released makes the pairs as CoLoR's released script did (lcgen(1),
# pairs --selection released): the candidates are DATA's summaries only, in
# CoLoR's order (COLOR_ORDER: Mistral, Phi-3, GPT-4o-mini), the last one's label
# decides which passages are kept (LABEL_BY=NAME names another), chosen/rejected
# are the shortest/longest by characters.
#
# Outputs in OUT: candidates.jsonl labels.jsonl pairs.jsonl model.lcm
# compressed.jsonl, one run and one evaluation per compressor (the model at its
# threshold, and at corpus budgets of 1/R of the original for R in RATIOS),
# reports/NAME.json (each compressor's lcompress --report: sizes, ratio, each
# passage's sizes), evals/NAME.json (its lceval -m loft --json), table.jsonl
# (name, tokens, ratio, recall@1, recall@5, ndcg@10), table.txt,
# frontier.svg (ratio vs recall@1 of every compressor and of the model at
# several budgets, lcplot reading reports/ and evals/ directly) and hist.svg
# (per-passage compression ratio, from the reports).
#
#   make -f color.mk frontier DATA=DIR OUT=DIR MODEL=FILE.lcm      (the frontier alone)
#
# SCHEDULER=local|parallel|slurm and SHARDS=N run the candidates and labels
# stages (the ones that call an LLM) as N tasks of `lcgen ... --shard K/N` and an
# `lcgen merge`, through lctk-array.sh as scale.mk does (GNU parallel, or a Slurm
# job array and a merge job; lctk-scale(7)); the results are byte-identical to
# one process.  The default, SCHEDULER=local with SHARDS=1, runs each as one
# process.  A stage's parts, logs, task.sh and merge.sh stay in
# OUT/candidates.jsonl.parts (or labels.jsonl.parts).

HERE   := $(dir $(lastword $(MAKEFILE_LIST)))
SELF    = $(MAKE) --no-print-directory -f $(abspath $(HERE))/color.mk BIN=$(BIN) SEED=$(SEED) \
          SCHEDULER=$(SCHEDULER) SHARDS=$(SHARDS)
SHARE  := $(abspath $(HERE)..)
BIN    ?=
P       = $(if $(BIN),$(BIN)/,)
DATA   ?= $(SHARE)/data/hotpotqa
OUT    ?= color-out
SEED   ?= 1
SCHEDULER ?= local
SHARDS ?= 1
# gen STAGE,OUT,OPTIONS,INPUTS: the lcgen stage writing OUT: one process, or
# SHARDS tasks and a merge on SCHEDULER (lctk-array.sh)
SHARDED = $(filter-out local1,$(SCHEDULER)$(SHARDS))
gen     = $(if $(SHARDED),$(if $(BIN),PATH="$(abspath $(BIN)):$$PATH" )sh $(HERE)lctk-array.sh -s $(SCHEDULER) -n $(SHARDS) $(1) $(2) $(3) $(4),$(P)lcgen $(1) $(3) -o $(2) $(4))
AVERAGE?= 5
TARGET ?= 1.6
# word-level candidates (full passage, word filters, a model if MODEL0 is set,
# external summaries): measured better than adding title/lead/random sentence
# extracts, whose all-or-nothing masks teach position rather than specificity
KINDS  ?= full,filter,model,external
MODEL0 ?=
MODEL  ?= $(OUT)/model.lcm
RATIOS ?= 1.5 2 2.5 3 4
ENDPOINT    ?=
LLM_MODEL   ?=
LLM_LABELS  ?=
LLM_CONTEXT ?=
LLM_ARGS     = --endpoint $(ENDPOINT) --model $(LLM_MODEL)
FEW_SHOT     = $(wildcard $(DATA)/few_shot_queries.jsonl)
FEW_CORPUS   = $(wildcard $(DATA)/few_shot_corpus.jsonl)
SUMS    = $(sort $(wildcard $(DATA)/summaries/*.jsonl))
SELECTION   ?=
LABEL_BY    ?=
COLOR_ORDER ?= mistral_7b_0.3_inst phi3_mini_4k gpt_4o_mini
ifeq ($(SELECTION),released)
KINDS   = external
SUMS    = $(wildcard $(addprefix $(DATA)/summaries/,$(addsuffix .jsonl,$(COLOR_ORDER))))
endif
SUMNAMES= $(basename $(notdir $(SUMS)))
comma  := ,
LOFT   ?=
LOFTSETS = $(if $(LOFT),$(patsubst %/corpus.jsonl,%,$(sort $(wildcard $(LOFT)/*/corpus.jsonl))))
TRAIN  ?= $(if $(LOFT),$(foreach d,$(LOFTSETS),$(if $(filter $(abspath $(d)),$(abspath $(DATA))),,$(d))))
MODEL_GIVEN := $(if $(filter $(OUT)/model.lcm,$(MODEL)),,1)
# what the figures are: held-out, in-sample or a given model
EVALSPLIT = $(if $(MODEL_GIVEN),given MODEL $(MODEL) (held-out only if DATA was not in its training data),$(if $(TRAIN),held-out (trained on $(notdir $(TRAIN)); $(notdir $(DATA)) left out),in-sample (trained on the queries evaluated; pass LOFT=DIR for held-out)))

.PHONY: all pairs model compress eval plots frontier default-model clean
.DELETE_ON_ERROR:

all: eval plots

$(OUT)/.dir:
	mkdir -p $(OUT) && touch $@

$(OUT)/candidates.jsonl: $(DATA)/corpus.jsonl $(SUMS) | $(OUT)/.dir
	$(call gen,candidates,$@,--seed $(SEED) --kinds $(KINDS)$(if $(ENDPOINT),$(comma)llm $(LLM_ARGS)) $(if $(MODEL0),-m $(MODEL0)) $(addprefix --summaries ,$(SUMS)),$<)

$(OUT)/labels.jsonl: $(OUT)/candidates.jsonl $(DATA)/queries.jsonl
	$(call gen,labels,$@,$(if $(LLM_LABELS),--llm $(LLM_ARGS) $(if $(LLM_CONTEXT),--context $(LLM_CONTEXT)) $(addprefix --few-shot ,$(FEW_SHOT)) $(addprefix --few-shot-corpus ,$(FEW_CORPUS))) -c $(DATA)/corpus.jsonl -q $(DATA)/queries.jsonl,$<)

$(OUT)/pairs.jsonl: $(OUT)/candidates.jsonl $(OUT)/labels.jsonl
	$(P)lcgen pairs $(if $(SELECTION),--selection $(SELECTION) )$(if $(LABEL_BY),--label-by $(LABEL_BY) )-c $(DATA)/corpus.jsonl -o $@ $^

pairs: $(OUT)/pairs.jsonl

ifeq ($(TRAIN),)
$(OUT)/model.lcm: $(OUT)/pairs.jsonl
	@echo "color.mk: in-sample: the model is trained on the queries it is evaluated on (pass LOFT=DIR to leave $(notdir $(DATA)) out)" >&2
	$(P)lctrain --seed $(SEED) --average $(AVERAGE) -c $(DATA)/corpus.jsonl --target-ratio $(TARGET) -o $@ $<
else
# leave one dataset out: pairs of every TRAIN dataset, none of DATA's
$(OUT)/train/%/pairs.jsonl: | $(OUT)/.dir
	$(SELF) DATA=$(firstword $(filter %/$* $*,$(TRAIN))) OUT=$(OUT)/train/$* TRAIN= LOFT= pairs
$(OUT)/model.lcm: $(foreach d,$(TRAIN),$(OUT)/train/$(notdir $(d))/pairs.jsonl)
	@echo "color.mk: held-out: training on $(notdir $(TRAIN)), $(notdir $(DATA)) left out" >&2
	$(P)lctrain --seed $(SEED) --average $(AVERAGE) $(addprefix -c ,$(addsuffix /corpus.jsonl,$(TRAIN))) --target-ratio $(TARGET) -o $@ $^
endif
$(OUT)/split.txt: | $(OUT)/.dir
	echo "$(EVALSPLIT)" > $@

model: $(OUT)/model.lcm

# --- compressors --------------------------------------------------------------
# Each lcompress run leaves its figures in reports/NAME.json (--report); jget
# reads one top-level number of such a file (2-space indented, a key a line).
REP     = $(OUT)/reports
jget    = awk -v k='"$(1)":' '$$1 == k && /^  "/ { v = $$2; sub(/,$$/, "", v); print v; exit }' $(2)
$(REP)/.dir:
	mkdir -p $(REP) && touch $@
$(OUT)/c-original.jsonl: $(DATA)/corpus.jsonl | $(OUT)/.dir
	cp $< $@
# the original's sizes: lead at ratio 1 keeps every word
$(REP)/original.json: $(DATA)/corpus.jsonl | $(REP)/.dir
	$(P)lcompress --quiet --lead --ratio 1 --report $@ -o /dev/null $<
$(OUT)/c-lctk.jsonl: $(DATA)/corpus.jsonl $(MODEL) | $(REP)/.dir
	$(P)lcompress -m $(MODEL) --report $(REP)/lctk.json -o $@ $<
$(OUT)/c-lead.jsonl: $(DATA)/corpus.jsonl | $(REP)/.dir
	$(P)lcompress --quiet --lead --report $(REP)/lead.json -o $@ $<
# the model with one corpus-wide threshold that makes the corpus R times smaller
$(OUT)/c-lctk-x%.jsonl: $(DATA)/corpus.jsonl $(MODEL) $(REP)/original.json
	$(P)lcompress --quiet -m $(MODEL) --budget $$($(call jget,tokens,$(REP)/original.json) | awk '{printf "%d", $$1 / $*}') \
	  --report $(REP)/lctk-x$*.json -o $@ $<
$(OUT)/c-llm-%.jsonl: $(DATA)/summaries/%.jsonl $(DATA)/corpus.jsonl | $(REP)/.dir
	$(P)lcompress --quiet --summaries $< --report $(REP)/llm-$*.json -o $@ $(DATA)/corpus.jsonl
$(OUT)/compressed.jsonl: $(OUT)/c-lctk.jsonl
	cp $< $@

compress: $(OUT)/compressed.jsonl

NAMES = original lctk lead $(addprefix lctk-x,$(RATIOS)) $(addprefix llm-,$(SUMNAMES))

# --- index, retrieve, evaluate --------------------------------------------------
$(OUT)/i-%.idx: $(OUT)/c-%.jsonl
	$(P)lcindex --quiet -o $@ $<
$(OUT)/r-%.jsonl: $(OUT)/i-%.idx $(DATA)/queries.jsonl
	$(P)lcretrieve --quiet -k 100 -i $< -o $@ $(DATA)/queries.jsonl
# LOFT's measures of a compressor's run as lceval writes them (--json): with
# reports/NAME.json, one point of the frontier
$(OUT)/evals/%.json: $(OUT)/r-%.jsonl $(DATA)/queries.jsonl
	@mkdir -p $(@D)
	$(P)lceval -m loft --json -o $@ $(DATA)/queries.jsonl $<
# one JSON line: name, tokens (title + text as indexed), ratio, recall@1, recall@5, ndcg@10
$(OUT)/e-%.jsonl: $(OUT)/r-%.jsonl $(OUT)/c-%.jsonl $(REP)/original.json
	@orig=$$($(call jget,tokens,$(REP)/original.json)); \
	tok=$$(if [ $* = original ]; then echo $$orig; else $(call jget,compressed_tokens,$(REP)/$*.json); fi); \
	r=$$($(P)lceval -m recall@1 -m recall@5 $(DATA)/queries.jsonl $< | awk '$$1=="recall@1"{a=$$3} $$1=="recall@5"{b=$$3} END{print a, b}'); \
	n=$$($(P)lceval -m ndcg_cut.10 $(DATA)/queries.jsonl $< | awk '$$2=="all"{print $$3}'); \
	set -- $$r; \
	printf '{"name":"%s","tokens":%s,"ratio":%s,"recall@1":%s,"recall@5":%s,"ndcg@10":%s}\n' \
	  $* $$tok $$(awk -v a=$$orig -v b=$$tok 'BEGIN{printf "%.4f", a/b}') $$1 $$2 $$n > $@

$(OUT)/table.jsonl: $(foreach n,$(NAMES),$(OUT)/e-$(n).jsonl)
	cat $^ > $@
$(OUT)/table.txt: $(OUT)/table.jsonl $(OUT)/split.txt
	awk -v how="$$(cat $(OUT)/split.txt)" 'BEGIN{printf "# %s: %s\n", "$(notdir $(DATA))", how; printf "%-28s %9s %7s %9s %9s %8s\n","compressor","tokens","ratio","recall@1","recall@5","nDCG@10"} \
	  {gsub(/[{}"]/,""); n=split($$0,f,","); for(i=1;i<=n;i++){split(f[i],kv,":"); v[kv[1]]=kv[2]} \
	   printf "%-28s %9d %7.3f %9.4f %9.4f %8.4f\n", v["name"], v["tokens"], v["ratio"], v["recall@1"], v["recall@5"], v["ndcg@10"]}' $(OUT)/table.jsonl > $@
	cat $@

eval: $(OUT)/table.txt

# --- charts -------------------------------------------------------------------
# The frontier: each compressor's report (its ratio) pasted to its evaluation
# (quality.recall@1), point by point (lcplot --group 2), named after the files.
FRONTIER_NAMES = $(filter-out original,$(NAMES))
$(OUT)/frontier.svg: $(REP)/original.json $(OUT)/evals/original.json \
                     $(foreach n,$(FRONTIER_NAMES),$(OUT)/c-$(n).jsonl $(OUT)/evals/$(n).json)
	$(P)lcplot --group 2 --input-name name --label name -x ratio -y quality.recall@1 \
	  --title "size vs recall@1 (BM25), $(notdir $(DATA)), $(firstword $(EVALSPLIT))" \
	  --xlabel "compression ratio (cl100k tokens)" --ylabel "recall@1" -o $@ \
	  $(foreach n,original $(FRONTIER_NAMES),$(REP)/$(n).json $(OUT)/evals/$(n).json)
frontier: $(OUT)/frontier.svg
# each passage's ratio, one series per compressor (named after its report)
HIST_NAMES = lctk lead $(addprefix llm-,$(SUMNAMES))
$(OUT)/hist.svg: $(foreach n,$(HIST_NAMES),$(OUT)/c-$(n).jsonl)
	$(P)lcplot --type hist -x ratio --records per_passage --input-name compressor --by compressor --bins 30 \
	  --title "per-passage compression, $(notdir $(DATA))" --xlabel "passage compression ratio" -o $@ \
	  $(foreach n,$(HIST_NAMES),$(REP)/$(n).json)

plots: $(OUT)/frontier.svg $(OUT)/hist.svg

# --- the shipped default model ---------------------------------------------------
# One model over every LOFT dataset folder in LOFT (each holding corpus.jsonl,
# queries.jsonl and optionally summaries/): candidates, BM25 labels and pairs
# per dataset, then lctrain on all the pairs (mean of DAVERAGE seeded runs,
# length bias 0.5).  The same procedure, leave one dataset out and over several
# seeds, is measured by the benchmarks of the source tree (tests/bench/lcompress.sh).
# Without LOFT it trains on the bundled hotpotqa sample alone (in-domain only;
# weaker on other data).
#   make -f color.mk default-model LOFT=DIR
# words kept: 1/2.2 of the five corpora's words puts the shipped threshold at
# 1.6x (hotpotqa) to 2.9x (fiqa) fewer tokens
DTARGET?= 2.2
DAVERAGE?= 10
DSETS   = $(if $(LOFT),$(LOFTSETS),$(SHARE)/data/hotpotqa)
DOUT    = $(OUT)/default
default-model:
	@[ -n "$(DSETS)" ] || { echo "color.mk: no dataset folders with corpus.jsonl in LOFT=$(LOFT)" >&2; exit 1; }
	for d in $(DSETS); do $(SELF) DATA=$$d OUT=$(DOUT)/$$(basename $$d) pairs || exit 1; done
	$(P)lctrain --seed $(SEED) --average $(DAVERAGE) --target-ratio $(DTARGET) $(addprefix -c ,$(addsuffix /corpus.jsonl,$(DSETS))) \
	  -o $(DOUT)/model.lcm $(foreach d,$(DSETS),$(DOUT)/$(notdir $(d))/pairs.jsonl)
	cp $(DOUT)/model.lcm $(SHARE)/models/default.lcm

clean:
	rm -rf $(OUT)
