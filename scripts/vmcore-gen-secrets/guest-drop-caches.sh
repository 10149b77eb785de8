# vmsieve secrets (scripts/vmcore-gen-secrets): free the page cache of the boot files (the capture kernel image and
# initramfs kexec read, ~20 MiB that does not compress) before the scrub zeroes free memory: a smaller dump
sync; echo 3 > /proc/sys/vm/drop_caches
