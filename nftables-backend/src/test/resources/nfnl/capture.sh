#!/bin/sh
# usage: capture.sh NAME nft-args...   (inside `unshare -n`, after the skeleton exists)
# Writes NAME.hex: the bytes of nft's last sendmsg (the transaction batch), as one hex line.
name=$1; shift
strace -e trace=sendmsg -e write=3 -o "raw.$name" nft "$@" >/dev/null
python3 - "raw.$name" "$name.hex" <<'PY'
import re, sys
buf = ""
for line in open(sys.argv[1]):
    if "sendmsg(" in line:
        buf = ""
    m = re.match(r"^ \| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2})+)", line)
    if m:
        buf += m.group(1).replace(" ", "")
open(sys.argv[2], "w").write(buf + "\n")
PY
rm -f "raw.$name"
