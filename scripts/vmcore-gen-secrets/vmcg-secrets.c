/*
 * vmcg-work secrets <dir> <readyfile>: plants the table of plan.py (vmcg-planted.h, generated) in the guest
 *   keyring    : add_key("user", "vmsieve-planted:<id>", payload, @u) -- the kernel keeps the payload in a
 *                kmalloc'd user_key_payload; a text payload is "# vmsieve planted fake <id>\n<value>\n"
 *   kmsg       : one /dev/kmsg record "vmsieve-planted <kind> <value> end" (the kernel log buffer)
 *   page-cache : <dir>/<id> with the text framing above, fsync'ed and left cached
 *   user       : page n of an anonymous mapping of this process, which then sleeps until the crash
 * Each value is decoded into one buffer and zeroed after use, so the only plain copies are the planted ones.
 *
 * make-secrets-vmcore.sh compiles this after the shared vmcg-work.c (its main() renamed vmcg_work_main) and
 * vmcg-planted.h (PLANTED, PLANT_*).
 */
#include <errno.h>
#include <sys/syscall.h>

#define KEY_SPEC_USER_KEYRING -4
#define NPLANTED (sizeof PLANTED / sizeof PLANTED[0])

static char plant_buf[16384];

/* plant_buf = the entry's framing around its decoded value; returns the length */
static size_t framed(const struct planted *p, const char *before, const char *after)
{
	size_t n = strlen(before);
	memcpy(plant_buf, before, n);
	for (unsigned i = 0; i < p->len; i++)
		plant_buf[n + i] = p->enc[i] ^ PLANT_XOR;
	n += p->len;
	memcpy(plant_buf + n, after, strlen(after));
	return n + strlen(after);
}

/* the text framing (comment line before, newline after) or none for a binary value */
static size_t framed_text(const struct planted *p)
{
	char comment[256];
	snprintf(comment, sizeof comment, PLANT_COMMENT, p->id);
	return p->text ? framed(p, comment, "\n") : framed(p, "", "");
}

static int plant_keyring(const struct planted *p)
{
	char desc[256];
	snprintf(desc, sizeof desc, "vmsieve-planted:%s", strchr(p->id, '/') + 1);
	size_t n = framed_text(p);
	long r = syscall(SYS_add_key, "user", desc, plant_buf, n, KEY_SPEC_USER_KEYRING);
	if (r < 0)
		fprintf(stderr, "add_key %s: %s\n", p->id, strerror(errno));
	return r < 0;
}

static int plant_kmsg(const struct planted *p)
{
	char before[128];
	snprintf(before, sizeof before, PLANT_KMSG, p->kind);
	size_t n = framed(p, before, PLANT_KMSG_END);
	int fd = open("/dev/kmsg", O_WRONLY);
	int bad = fd < 0 || write(fd, plant_buf, n) != (ssize_t)n;
	if (bad)
		fprintf(stderr, "/dev/kmsg %s: %s\n", p->id, strerror(errno));
	if (fd >= 0)
		close(fd);
	return bad;
}

static int plant_file(const struct planted *p, const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, strchr(p->id, '/') + 1);
	size_t n = framed_text(p);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	int bad = fd < 0 || write(fd, plant_buf, n) != (ssize_t)n || fsync(fd) != 0;
	if (bad)
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return bad;
}

static int do_secrets(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: vmcg-work secrets dir readyfile\n");
		return 2;
	}
	unsigned char *user = map(NPLANTED * PG);
	int bad = 0, counts[4] = {0};
	for (size_t i = 0; i < NPLANTED; i++) {
		const struct planted *p = &PLANTED[i];
		if (!strcmp(p->location, "keyring")) {
			bad |= plant_keyring(p);
			counts[0]++;
		} else if (!strcmp(p->location, "kmsg")) {
			bad |= plant_kmsg(p);
			counts[1]++;
		} else if (!strcmp(p->location, "page-cache")) {
			bad |= plant_file(p, argv[2]);
			counts[2]++;
		} else {
			/* page n of the mapping, n counting the user entries as plan.py's 'page' does */
			size_t n = framed_text(p);
			memcpy(user + counts[3]++ * PG, plant_buf, n);
		}
		explicit_bzero(plant_buf, sizeof plant_buf);
	}
	if (bad)
		return 1;
	int fd = open(argv[3], O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd >= 0) {
		dprintf(fd, "keyring=%d kmsg=%d page-cache=%d user=%d pid=%d\n", counts[0], counts[1], counts[2], counts[3], (int)getpid());
		close(fd);
	}
	for (;;)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "secrets"))
		return do_secrets(argc, argv);
	return vmcg_work_main(argc, argv);
}
