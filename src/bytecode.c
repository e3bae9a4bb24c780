/* SPDX-License-Identifier: MIT */
/*
 * bytecode: building inet_diag filter programs, plus a user-space model of
 * the kernel's interpreter and audit so the programs are unit-tested.
 *
 * The kernel's audit (inet_diag_bc_audit) accepts a "no" jump only to the
 * end (accept), past the end (reject), or onto the chain of "yes" jumps; so
 * every op here continues on yes and decides on no.  Port ops take two
 * slots: the op, then the port in the next op's "no" field.
 */
#include <errno.h>
#include <string.h>
#include <linux/inet_diag.h>

#include "bytecode.h"

struct prog {
	struct inet_diag_bc_op *ops;
	size_t n;			/* slots used */
};

/* Append "CODE port": yes -> next op, no -> @accept ? end : reject.  The
 * no offsets are patched once the length is known. */
static void emit(struct prog *p, uint8_t code, uint32_t port, bool accept_on_no)
{
	p->ops[p->n].code = code;
	p->ops[p->n].yes = 2 * sizeof(struct inet_diag_bc_op);
	p->ops[p->n].no = accept_on_no;		/* marker, patched below */
	p->ops[p->n + 1].code = INET_DIAG_BC_NOP;
	p->ops[p->n + 1].yes = 0;
	p->ops[p->n + 1].no = (uint16_t)port;
	p->n += 2;
}

size_t bytecode_share(uint32_t lo, uint32_t hi, void *buf)
{
	struct inet_diag_bc_op ops[BYTECODE_MAX / sizeof(struct inet_diag_bc_op)];
	struct prog p = { .ops = ops, .n = 0 };
	size_t len;

	if (hi < 65536) {
		/* sport < hi and dport < hi */
		emit(&p, INET_DIAG_BC_S_LE, hi - 1, false);
		emit(&p, INET_DIAG_BC_D_LE, hi - 1, false);
	}
	if (lo > 0) {
		/* sport >= lo, or else dport >= lo */
		emit(&p, INET_DIAG_BC_S_LE, lo - 1, true);
		emit(&p, INET_DIAG_BC_D_GE, lo, false);
	}
	len = p.n * sizeof(struct inet_diag_bc_op);
	for (size_t i = 0; i < p.n; i += 2) {
		/* bytes from this op to the end */
		size_t rest = len - i * sizeof(struct inet_diag_bc_op);

		ops[i].no = (uint16_t)(ops[i].no ? rest : rest + 4);
	}
	memcpy(buf, ops, len);
	return len;
}

bool bytecode_run(const void *prog, size_t plen, uint16_t sport, uint16_t dport)
{
	const unsigned char *bc = prog;
	int len = (int)plen;

	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		int yes = 1;

		switch (op->code) {
		case INET_DIAG_BC_NOP:
			break;
		case INET_DIAG_BC_JMP:
			yes = 0;
			break;
		case INET_DIAG_BC_S_GE:
			yes = sport >= op[1].no;
			break;
		case INET_DIAG_BC_S_LE:
			yes = sport <= op[1].no;
			break;
		case INET_DIAG_BC_D_GE:
			yes = dport >= op[1].no;
			break;
		case INET_DIAG_BC_D_LE:
			yes = dport <= op[1].no;
			break;
		default:
			return false;
		}
		if (yes) {
			len -= op->yes;
			bc += op->yes;
		} else {
			len -= op->no;
			bc += op->no;
		}
	}
	return len == 0;
}

/* Whether @cc bytes before the end is reachable along "yes" jumps. */
static bool valid_cc(const unsigned char *bc, int len, int cc)
{
	while (len >= 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;

		if (cc > len)
			return false;
		if (cc == len)
			return true;
		if (op->yes < 4 || op->yes & 3)
			return false;
		len -= op->yes;
		bc += op->yes;
	}
	return false;
}

int bytecode_audit(const void *prog, size_t plen)
{
	const unsigned char *bc = prog;
	int len = (int)plen;

	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		int min_len = sizeof(struct inet_diag_bc_op);

		switch (op->code) {
		case INET_DIAG_BC_S_GE:
		case INET_DIAG_BC_S_LE:
		case INET_DIAG_BC_D_GE:
		case INET_DIAG_BC_D_LE:
			if (len < 2 * (int)sizeof(struct inet_diag_bc_op))
				return -EINVAL;
			min_len += sizeof(struct inet_diag_bc_op);
			break;
		case INET_DIAG_BC_NOP:
		case INET_DIAG_BC_JMP:
			break;
		default:
			return -EINVAL;
		}
		if (op->code != INET_DIAG_BC_NOP) {
			if (op->no < min_len || op->no > len + 4 || op->no & 3)
				return -EINVAL;
			if (op->no < len && !valid_cc(prog, (int)plen, len - op->no))
				return -EINVAL;
		}
		if (op->yes < min_len || op->yes > len + 4 || op->yes & 3)
			return -EINVAL;
		bc += op->yes;
		len -= op->yes;
	}
	return len == 0 ? 0 : -EINVAL;
}
