/* SPDX-License-Identifier: MIT */
/*
 * fuzz_diag: libFuzzer target for diag_parse(), the decoder of one
 * inet_diag message.  The input is one netlink message; its nlmsg_len is
 * forced to the input's size, since the collector only hands diag_parse()
 * messages whose framing it checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_rec rec;
	struct nlmsghdr *nlh;

	if (size < sizeof(*nlh) || size > 65536)
		return 0;
	/* A fresh, exactly sized heap copy: ASan sees any over-read. */
	nlh = malloc(size);
	memcpy(nlh, data, size);
	nlh->nlmsg_len = (uint32_t)size;
	diag_parse(nlh, 0, &rec);
	diag_parse(nlh, DIAG_PARSE_ATTRS, &rec);
	free(nlh);
	return 0;
}
