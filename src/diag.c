/* SPDX-License-Identifier: MIT */
/*
 * diag: decoding of inet_diag_msg replies.  This is the only place that knows
 * the kernel's message layout; everything downstream sees struct sock_rec.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stddef.h>
#include <linux/inet_diag.h>
#include <linux/tcp.h>
#include <libmnl/libmnl.h>

#include "diag.h"
#include "tcp_state.h"

#ifndef INET_DIAG_CGROUP_ID	/* Linux 5.7's uapi; the value is fixed */
#define INET_DIAG_CGROUP_ID 21
#endif

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct sock_rec *rec = data;

	/* mnl_attr_type_valid() would reject attributes newer than our
	 * headers; a newer kernel is not an error, so unknown types pass. */
	switch (mnl_attr_get_type(attr)) {
	case INET_DIAG_SKV6ONLY:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		rec->v6only = mnl_attr_get_u8(attr) != 0;
		break;
	case INET_DIAG_INFO: {
		/* The kernel sends its own sizeof(struct tcp_info), which
		 * grows with every few releases: copy what both sides know
		 * and require only the fields read below (Linux 2.6's). */
		struct tcp_info ti;
		uint16_t len = mnl_attr_get_payload_len(attr);

		if (len < offsetof(struct tcp_info, tcpi_last_ack_recv) +
			  sizeof(ti.tcpi_last_ack_recv))
			break;
		memset(&ti, 0, sizeof(ti));
		memcpy(&ti, mnl_attr_get_payload(attr), len < sizeof(ti) ? len : sizeof(ti));
		rec->info_last_data_recv = ti.tcpi_last_data_recv;
		rec->info_last_ack_recv = ti.tcpi_last_ack_recv;
		rec->has_info = 1;
		break;
	}
	case INET_DIAG_CGROUP_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		rec->cgroup_id = mnl_attr_get_u64(attr);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

int diag_parse(const struct nlmsghdr *nlh, unsigned flags, struct sock_rec *rec)
{
	const struct inet_diag_msg *m;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*m))
		return -EBADMSG;
	m = mnl_nlmsg_get_payload(nlh);

	memset(rec, 0, sizeof(*rec));
	switch (m->idiag_family) {
	case AF_INET:
		memcpy(rec->saddr, m->id.idiag_src, 4);
		memcpy(rec->daddr, m->id.idiag_dst, 4);
		break;
	case AF_INET6:
		memcpy(rec->saddr, m->id.idiag_src, 16);
		memcpy(rec->daddr, m->id.idiag_dst, 16);
		break;
	default:
		return -EBADMSG;
	}
	rec->family = m->idiag_family;

	if (m->idiag_state == TCP_STATE_NEW_SYN_RECV)
		rec->state = TCP_STATE_SYN_RECV;
	else if (m->idiag_state >= TCP_STATE_ESTABLISHED &&
		 m->idiag_state <= TCP_STATE_MAX)
		rec->state = m->idiag_state;
	else
		return -EBADMSG;

	rec->sport = ntohs(m->id.idiag_sport);
	rec->dport = ntohs(m->id.idiag_dport);
	rec->rqueue = m->idiag_rqueue;
	rec->wqueue = m->idiag_wqueue;
	rec->uid = m->idiag_uid;
	rec->inode = m->idiag_inode;
	rec->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];

	/* The kernel reports INET_DIAG_SKV6ONLY for IPv6 listeners without being
	 * asked (inet_diag_msg_attrs_fill); absent means an old kernel, where a
	 * listener is treated as dual-stack like the default bindv6only=0. */
	if ((flags & DIAG_PARSE_ATTRS) ||
	    (rec->family == AF_INET6 && rec->state == TCP_STATE_LISTEN)) {
		/* mnl_attr_parse() stops quietly at an attribute that runs
		 * past the message; a corrupt v6only flag would misclassify
		 * every IPv4 socket on the port, so the walk is done here and
		 * must end exactly at the message's end (give or take the
		 * last attribute's alignment padding). */
		const struct nlattr *attr = mnl_nlmsg_get_payload_offset(nlh, sizeof(*m));
		int len = (int)((const char *)nlh + nlh->nlmsg_len - (const char *)attr);

		while (len > 0 && mnl_attr_ok(attr, len)) {
			if (attr_cb(attr, rec) < 0)
				return -EBADMSG;
			len -= (int)MNL_ALIGN(attr->nla_len);
			attr = mnl_attr_next(attr);
		}
		if (len > 0)
			return -EBADMSG;
	}
	return 0;
}

uint32_t diag_unread(const struct sock_rec *rec)
{
	/* idiag_rqueue is rcv_nxt - copied_seq: the FIN advanced rcv_nxt
	 * by one in the states after it came in. */
	if (rec->rqueue && (rec->state == TCP_STATE_CLOSE_WAIT || rec->state == TCP_STATE_LAST_ACK ||
			    rec->state == TCP_STATE_CLOSING))
		return rec->rqueue - 1;
	return rec->rqueue;
}
