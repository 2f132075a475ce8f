// SPDX-License-Identifier: GPL-2.0
/*
 * Directions: the round that moves data after the disturbance, and what it
 * asks of the device (PK_DIRF_*).  A round ends with both views compared
 * against @expect; a difference is a break (toolkit.c).
 *
 * To add a direction: a round function here, one line in pk_dirs[] and its
 * enum pk_dir value in pinkit.h.  Its name says who writes and who reads
 * without naming a device's operation ("dev-write-cpu-read"): a plugin's
 * kind carries it in its case names.
 */
#include <inttypes.h>
#include <string.h>

#include "internal.h"

/* CPU write -> device read */
static int dir_cpu_write(struct pk_tc *t)
{
	char what[PK_MSG_MAX];

	pk_cpu_write(t, t->seed++);
	snprintf(what, sizeof(what),
		 "%s, %s differs from what the CPU wrote",
		 pk_when(t), t->kd.read_name);
	return pk_check_device(t, what);
}

/* device write -> CPU read */
static int dir_dev_write(struct pk_tc *t)
{
	char what[PK_MSG_MAX];

	pk_set_expect(t, t->seed++);
	if (pk_device_write_probes(t, NULL))
		return -1;
	snprintf(what, sizeof(what),
		 "%s, the CPU reads other bytes than %s put there",
		 pk_when(t), t->kd.write_name);
	pk_check_cpu(t, what);
	return 0;
}

/*
 * Interleaved: the CPU writes the even probe pages, the device the odd
 * ones, one after the other; then both views must hold all of it.
 */
static int dir_interleaved(struct pk_tc *t)
{
	uint8_t sel[PK_PROBES_MAX];
	char what[PK_MSG_MAX];
	size_t i;

	pk_set_expect(t, t->seed++);
	for (i = 0; i < t->nprobe; i++) {
		size_t off = t->probe[i] * t->page;

		if (i % 2 == 0) {
			memcpy(t->b.addr + off, t->expect + off, t->page);
			t->cpu_wrote[t->probe[i]] = 1;
			continue;
		}
		memset(sel, 0, sizeof(sel));
		sel[i] = 1;
		if (pk_device_write_probes(t, sel))
			return -1;
	}
	snprintf(what, sizeof(what),
		 "%s, with interleaved CPU/device writes, the CPU view differs",
		 pk_when(t));
	pk_check_cpu(t, what);
	snprintf(what, sizeof(what),
		 "%s, with interleaved CPU/device writes, %s differs",
		 pk_when(t), t->kd.read_name);
	return pk_check_device(t, what);
}

/* An 8-byte value that differs from @want: a break at @off. */
static void word_break(struct pk_tc *t, size_t off, uint64_t want,
		       uint64_t got, const char *what)
{
	struct pk_mismatch m = { .offset = off, .bytes = 8, .pages = 1 };

	m.expected = (uint8_t)want;
	m.got = (uint8_t)got;
	pk_break(t, what, &m);
}

/*
 * Fetch-and-add on one word per probe page: the device must fetch what
 * the CPU wrote and the CPU must then read the sum.
 */
static int dir_fetch_add(struct pk_tc *t)
{
	size_t i;

	pk_cpu_write(t, t->seed++);
	for (i = 0; i < t->nprobe; i++) {
		size_t pg = t->probe[i];
		size_t off = pg * t->page + ((i * 72) % (t->page - 8) & ~(size_t)7);
		uint64_t want, got, add = UINT64_C(0x0100000000000001) * (i + 1);
		char what[PK_MSG_MAX];
		uint64_t cpu;

		memcpy(&want, t->expect + off, 8);
		if (t->kd.ops->atomic(&t->kd, off, add, &got)) {
			pk_fail(t->r, "%s: %s", pk_when(t), t->kd.err);
			return -1;
		}
		t->dev_wrote[pg] = 1;
		want += add;
		memcpy(t->expect + off, &want, 8);
		want -= add;
		if (got != want) {
			snprintf(what, sizeof(what),
				 "%s, FETCH_AND_ADD fetched 0x%016" PRIx64 " but the CPU wrote 0x%016" PRIx64,
				 pk_when(t), got, want);
			word_break(t, off, want, got, what);
		}
		memcpy(&cpu, t->b.addr + off, 8);
		if (cpu != want + add) {
			snprintf(what, sizeof(what),
				 "%s, the CPU reads 0x%016" PRIx64 " after FETCH_AND_ADD, expected 0x%016" PRIx64,
				 pk_when(t), cpu, want + add);
			word_break(t, off, want + add, cpu, what);
		}
	}
	return 0;
}

/*
 * SEND/RECV: the same rounds; the RDMA kinds read the MR by a SEND out of
 * it and write it by a RECV into it (PK_DIRF_MSG).
 */
#define HOSTILE	PK_DIRF_DEV_WRITES

const struct pk_dir_desc pk_dirs[PK_DIR_NR] = {
	[PK_DIR_CPU_WRITE_RDMA_READ] = { "cpu-write-dev-read", 0, true,
					 dir_cpu_write,
					 "cpu-write-rdma-read" },
	[PK_DIR_RDMA_WRITE_CPU_READ] = { "dev-write-cpu-read",
					 PK_DIRF_DEV_WRITES, true,
					 dir_dev_write,
					 "rdma-write-cpu-read" },
	[PK_DIR_INTERLEAVED] = { "interleaved", PK_DIRF_DEV_WRITES, false,
				 dir_interleaved },
	[PK_DIR_FETCH_ADD] = { "fetch-add",
			       PK_DIRF_DEV_WRITES | PK_DIRF_ATOMIC, false,
			       dir_fetch_add },
	[PK_DIR_CPU_WRITE_SEND] = { "cpu-write-send", PK_DIRF_MSG, false,
				    dir_cpu_write },
	[PK_DIR_RECV_CPU_READ] = { "recv-cpu-read",
				   PK_DIRF_DEV_WRITES | PK_DIRF_MSG, false,
				   dir_dev_write },
	/*
	 * A hostile peer's requests (hostile.c): on an MR the peer may
	 * write, its own registration over the case's buffer.
	 */
	[PK_DIR_HOSTILE_WRAP] = { "hostile-wrap", HOSTILE, true, pk_hostile_round },
	[PK_DIR_HOSTILE_PAST_END] = { "hostile-past-end", HOSTILE, true,
				      pk_hostile_round },
	[PK_DIR_HOSTILE_BEFORE_START] = { "hostile-before-start", HOSTILE, true,
					  pk_hostile_round },
	[PK_DIR_HOSTILE_BAD_RKEY] = { "hostile-wrong-rkey", HOSTILE, true,
				      pk_hostile_round },
	[PK_DIR_HOSTILE_DEREG_RKEY] = { "hostile-dereg-rkey", HOSTILE, true,
					pk_hostile_round },
	[PK_DIR_HOSTILE_OTHER_PD] = { "hostile-other-pd", HOSTILE, true,
				      pk_hostile_round },
	[PK_DIR_HOSTILE_ATOMIC_MISALIGNED] = { "hostile-misaligned-atomic",
					       HOSTILE | PK_DIRF_ATOMIC, true,
					       pk_hostile_round },
	[PK_DIR_HOSTILE_ZERO_LEN] = { "hostile-zero-length", HOSTILE, true,
				      pk_hostile_round },
	[PK_DIR_HOSTILE_MAX_LEN] = { "hostile-max-length", HOSTILE, true,
				     pk_hostile_round },
	[PK_DIR_HOSTILE_RESET_AFTER_ERROR] = { "hostile-reset-after-error",
					       HOSTILE, true,
					       pk_hostile_round },
};

const char *pk_dir_name(enum pk_dir d)
{
	return d < PK_DIR_NR ? pk_dirs[d].name : "?";
}

bool pk_dir_is_msg(enum pk_dir d)
{
	return d < PK_DIR_NR && (pk_dirs[d].flags & PK_DIRF_MSG);
}
