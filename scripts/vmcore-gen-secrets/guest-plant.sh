# vmsieve secrets (scripts/vmcore-gen-secrets): plant plan.py's values in the keyring, the kernel log, the page cache
# and this helper's anonymous memory (after the scrub, which could reclaim the page cache); the helper stays alive
mkdir -p /mnt/data/vmsieve-planted
vmcg-work secrets /mnt/data/vmsieve-planted /tmp/secrets.ready &
SECRETSPID=$!
n=0
while [ ! -s /tmp/secrets.ready ]; do
	sleep 1; n=$((n + 1)); [ $n -gt 300 ] && fail "secrets: timeout"
	kill -0 $SECRETSPID 2>/dev/null || fail "secrets: vmcg-work secrets died"
done
say "secrets planted: $(cat /tmp/secrets.ready)"
sed 's/^/VMCG: key: /' /proc/keys
