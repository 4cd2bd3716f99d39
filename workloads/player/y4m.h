/* YUV4MPEG2 reader: 8-bit 4:2:0 streams only. */
#ifndef PLAYER_Y4M_H
#define PLAYER_Y4M_H

#include <stdint.h>

/* Largest frame the player accepts (both limits apply). */
#define Y4M_MAX_WIDTH  1920u
#define Y4M_MAX_HEIGHT 1088u
#define Y4M_MAX_LINE   1024u   /* longest stream or frame header line, bytes including '\n' */

enum y4m_status {
	Y4M_OK = 0,
	Y4M_END,          /* clean end of stream before a frame header */
	Y4M_IO_ERROR,     /* read() failed */
	Y4M_MALFORMED,    /* not YUV4MPEG2, bad parameter, truncated data */
	Y4M_UNSUPPORTED,  /* valid YUV4MPEG2 this player does not play (chroma) */
	Y4M_TOO_LARGE,    /* W or H over the maximum */
};

struct y4m_stream {
	int32_t fd;
	uint64_t offset;              /* stream offset of buf[pos] */
	uint32_t pos, len;
	int32_t io_errno;             /* for Y4M_IO_ERROR */
	const char *error;            /* message for any status other than OK/END */
	uint64_t error_offset;        /* where the problem is */
	/* header */
	uint32_t width, height;
	uint32_t rate_num, rate_den;  /* F, default 25:1 */
	uint32_t aspect_num, aspect_den; /* A, default 0:0 (unknown) */
	char interlace;               /* I: p t b m ?, default '?' */
	char chroma[16];              /* C tag as written, default "420jpeg" */
	uint32_t frame_size;          /* Y + U + V bytes */
	uint32_t frames_read;
	uint8_t buf[4096];
};

/* Read and check the stream header of an open file. */
enum y4m_status y4m_open(struct y4m_stream *s, int32_t fd);
/* Read the next frame into planes (Y width*height, then U and V ((w+1)/2)*((h+1)/2) each). */
enum y4m_status y4m_read_frame(struct y4m_stream *s, uint8_t *planes);

#endif
