#!/usr/bin/env zsh
# zsh-complete.zsh FPATHDIR LINE: what zsh's completion offers at the end of LINE
# (one match a line, sorted), with FPATHDIR's _lctk.  An interactive zsh -f in a
# pseudo-terminal (zsh/zpty) runs compinit, then gets LINE and a TAB; a compadd
# wrapper prints each match the completion adds, and the shell exits after it.
zmodload zsh/zpty || exit 3
local dir=$1 cmdline=$2 line out
zpty z zsh -f -i
zpty -w z "PROMPT=''; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' insert-tab false; bindkey '^I' complete-word"
zpty -w z 'compadd() { local -a __m; builtin compadd -O __m "$@"; (( $#__m )) && print -rl -- "" "@@"${^__m}; builtin compadd "$@"; }'
zpty -w z 'comppostfuncs=( exit )'
zpty -w -n z "$cmdline"$'\t'
while zpty -r z line; do out+=$line; done
print -r -- $out | tr -d '\r' | sed -n 's/^@@//p' | sort -u
