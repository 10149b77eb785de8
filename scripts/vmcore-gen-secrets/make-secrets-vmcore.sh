#!/bin/bash
# make-secrets-vmcore.sh [make-vmcore.sh options]: a real dump whose guest holds planted secrets (plan.py), made by
# the shared generator (../shared/tools/vmcore-gen, or VMCG_DIR) run from a copy of it in WORK that differs in two
# files only:
#   guest-init.sh  the shared one with guest-drop-caches.sh inserted before the free-memory scrub and guest-plant.sh
#                  before the hwpoison step
#   vmcg-work.c    the shared helper (main renamed vmcg_work_main) + plan.py's table + vmcg-secrets.c ('secrets' mode)
# Writes OUT/NAME.secrets.json (plan.py json) beside the generator's outputs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VMCG=$(cd "${VMCG_DIR:-$HERE/../../../shared/tools/vmcore-gen}" && pwd)

NAME=vmcore OUT=$PWD WORK=/tmp/vmcore-work
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--name) NAME=$2; shift ;;
	--out) OUT=$2; shift ;;
	--work) WORK=$2; shift ;;
	esac
	shift
done

TOOL=$WORK/vmcore-gen-secrets
rm -rf "$TOOL"; mkdir -p "$TOOL"
for f in "$VMCG"/*; do ln -s "$f" "$TOOL/"; done
rm "$TOOL/guest-init.sh" "$TOOL/vmcg-work.c"

# insert each snippet before the line that starts with its marker; a marker found other than once is an error
awk -v drop="$HERE/guest-drop-caches.sh" -v plant="$HERE/guest-plant.sh" '
	function put(f,  l) { while ((getline l < f) > 0) print l; close(f) }
	/^# optional: overwrite stale free memory/ { put(drop); d++ }
	/^# 5\. hardware-poisoned pages/ { put(plant); p++ }
	{ print }
	END { if (d != 1 || p != 1) { print "guest-init.sh markers found " d "+" p " times, want 1+1" > "/dev/stderr"; exit 1 } }
' "$VMCG/guest-init.sh" > "$TOOL/guest-init.sh"
chmod 755 "$TOOL/guest-init.sh"

python3 "$HERE/plan.py" c-header > "$TOOL/vmcg-planted.h"
cat > "$TOOL/vmcg-work.c" <<EOC
#define main vmcg_work_main
#include "$VMCG/vmcg-work.c"
#undef main
#include "vmcg-planted.h"
#include "$HERE/vmcg-secrets.c"
EOC

"$TOOL/make-vmcore.sh" "${args[@]}"
python3 "$HERE/plan.py" json "$NAME" > "$OUT/$NAME.secrets.json"
