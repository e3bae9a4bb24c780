#!/usr/bin/env zsh
# SPDX-License-Identifier: MIT
# zsh_complete.zsh FPATH_DIR 'portstat --fo': the candidates zsh's completion
# system offers for that line, one per line.  Completion only runs in an
# interactive shell's line editor, so this starts one on a pseudo-terminal
# (zpty), loads compinit with FPATH_DIR first in $fpath, and types the line
# and a TAB.  A compadd wrapper prints every candidate as it is added,
# between two marker lines; a post-completion hook exits that shell, so
# the output ends with the completion.  (After Valodim's
# zsh-capture-completion, trimmed to what the test needs.)
emulate -L zsh
zmodload zsh/zpty || exit 2
dir=$1 line=$2
[[ -n $dir && -n $line ]] || { print -u2 "usage: $0 FPATH_DIR LINE"; exit 2 }

zpty pz zsh -f -i || exit 2
# One definition per write; the shell answers "ready" once all are in.
zpty -w pz "PROMPT= RPROMPT= PS2="
zpty -w pz "fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w pz "bindkey '^I' complete-word"
zpty -w pz "zstyle ':completion:*' list-grouped false"
zpty -w pz "zstyle ':completion:*' insert-tab false"
zpty -w pz "compadd () {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
    builtin compadd \"\$@\"; return
  fi
  local -a __hits
  builtin compadd -A __hits \"\$@\"
  (( \$#__hits )) || return 1
  local h; for h in \$__hits; do print -r -- \"@@cand \$IPREFIX\$h\"; done
  builtin compadd \"\$@\"
}"
zpty -w pz "comppostfuncs=(_pz_done); _pz_done() { print -r -- @@end; exit }"
zpty -w pz "print -r -- @@ready"
# Wait for the prompt of the set-up (bounded: the caller's timeout too).
out=
for (( i = 0; i < 200; i++ )); do
  zpty -r -t pz chunk && out+=$chunk || sleep 0.05
  [[ $out == *$'\n'@@ready* ]] && break
done
[[ $out == *$'\n'@@ready* ]] || { print -u2 "zsh did not start: $out"; exit 2 }

zpty -w -n pz "print -r -- @@begin; $line"$'\t'
out=
for (( i = 0; i < 200; i++ )); do
  if zpty -r -t pz chunk; then
    out+=$chunk
    [[ $out == *@@end* ]] && break
  else
    sleep 0.05
  fi
done
zpty -d pz
[[ $out == *@@end* ]] || { print -u2 "no completion ended: $out"; exit 2 }
# The first candidate follows the echoed line on its own terminal line.
out=${${out//$'\r'/}//@@cand /$'\n'@@cand }
[[ -n $PZ_DEBUG ]] && print -u2 -r -- "raw: ${(q+)out}"
print -r -- ${(F)${(M)${(f)out}:#@@cand *}#@@cand }
