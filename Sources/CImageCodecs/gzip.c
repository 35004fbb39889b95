// gzip inflate (bounded output, multi-member) and deflate over zlib.

#include "CImageCodecs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void slope_codec_free(void *pointer) { free(pointer); }

static void set_message(char *message, const char *text) {
    if (message == NULL) return;
    snprintf(message, SLOPE_CODEC_MESSAGE_SIZE, "%s", text ? text : "unknown error");
}

/// zlib counts in uInt; feed it at most this many bytes at a time.
static const size_t chunk_limit = (size_t)UINT_MAX / 2;

slope_codec_status slope_gunzip(const uint8_t *input, size_t input_length,
                                uint8_t *output, size_t output_capacity, size_t *output_length,
                                char message[SLOPE_CODEC_MESSAGE_SIZE]) {
    *output_length = 0;
    set_message(message, "");
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
        set_message(message, "zlib could not start (out of memory)");
        return SLOPE_CODEC_NO_MEMORY;
    }
    size_t in_offset = 0, out_offset = 0;
    slope_codec_status status = SLOPE_CODEC_OK;
    for (;;) {
        if (stream.avail_in == 0 && in_offset < input_length) {
            size_t n = input_length - in_offset;
            if (n > chunk_limit) n = chunk_limit;
            stream.next_in = (Bytef *)(input + in_offset);
            stream.avail_in = (uInt)n;
            in_offset += n;
        }
        if (out_offset == output_capacity) {
            status = SLOPE_CODEC_OUTPUT_FULL;
            break;
        }
        size_t room = output_capacity - out_offset;
        if (room > chunk_limit) room = chunk_limit;
        stream.next_out = output + out_offset;
        stream.avail_out = (uInt)room;
        int result = inflate(&stream, Z_NO_FLUSH);
        out_offset += room - stream.avail_out;
        if (result == Z_STREAM_END) {
            // Another member may follow; anything else after the stream must be zero padding.
            size_t rest_offset = in_offset - stream.avail_in;
            if (rest_offset == input_length) break;
            const uint8_t *rest = input + rest_offset;
            size_t rest_length = input_length - rest_offset;
            if (rest_length >= 2 && rest[0] == 0x1f && rest[1] == 0x8b) {
                inflateReset(&stream);
                continue;
            }
            int zeros = 1;
            for (size_t i = 0; i < rest_length; i++) {
                if (rest[i] != 0) { zeros = 0; break; }
            }
            if (!zeros) {
                set_message(message, "bytes that are not gzip data follow the end of the gzip stream");
                status = SLOPE_CODEC_TRAILING_GARBAGE;
            }
            break;
        }
        if (result == Z_OK) continue;
        if (result == Z_BUF_ERROR) {
            // No progress possible: either the output is full (handled at the loop top) or the
            // input ran out before the stream ended.
            if (stream.avail_out == 0) continue;
            if (stream.avail_in == 0 && in_offset == input_length) {
                set_message(message, "the gzip stream ends early (the file is truncated)");
                status = SLOPE_CODEC_TRUNCATED;
                break;
            }
            if (stream.avail_in == 0) continue;
            set_message(message, "invalid compressed data (inflate made no progress)");
            status = SLOPE_CODEC_CORRUPT;
            break;
        }
        if (result == Z_MEM_ERROR) {
            set_message(message, "zlib ran out of memory");
            status = SLOPE_CODEC_NO_MEMORY;
        } else {
            set_message(message, stream.msg ? stream.msg : "invalid compressed data");
            status = SLOPE_CODEC_CORRUPT;
        }
        break;
    }
    inflateEnd(&stream);
    *output_length = out_offset;
    return status;
}

slope_codec_status slope_gzip(const uint8_t *input, size_t input_length, int level,
                              uint8_t **output, size_t *output_length) {
    *output = NULL;
    *output_length = 0;
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (level < -1 || level > 9) level = Z_DEFAULT_COMPRESSION;
    if (deflateInit2(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return SLOPE_CODEC_NO_MEMORY;
    }
    size_t capacity = 64 + input_length + input_length / 1000 + 32;
    uint8_t *buffer = malloc(capacity);
    if (buffer == NULL) {
        deflateEnd(&stream);
        return SLOPE_CODEC_NO_MEMORY;
    }
    size_t in_offset = 0, out_offset = 0;
    for (;;) {
        if (stream.avail_in == 0 && in_offset < input_length) {
            size_t n = input_length - in_offset;
            if (n > chunk_limit) n = chunk_limit;
            stream.next_in = (Bytef *)(input + in_offset);
            stream.avail_in = (uInt)n;
            in_offset += n;
        }
        if (out_offset == capacity) {
            size_t grown = capacity * 2;
            uint8_t *bigger = realloc(buffer, grown);
            if (bigger == NULL) {
                free(buffer);
                deflateEnd(&stream);
                return SLOPE_CODEC_NO_MEMORY;
            }
            buffer = bigger;
            capacity = grown;
        }
        size_t room = capacity - out_offset;
        if (room > chunk_limit) room = chunk_limit;
        stream.next_out = buffer + out_offset;
        stream.avail_out = (uInt)room;
        int flush = (in_offset == input_length) ? Z_FINISH : Z_NO_FLUSH;
        int result = deflate(&stream, flush);
        out_offset += room - stream.avail_out;
        if (result == Z_STREAM_END) break;
        if (result != Z_OK && result != Z_BUF_ERROR) {
            free(buffer);
            deflateEnd(&stream);
            return SLOPE_CODEC_CORRUPT;
        }
    }
    deflateEnd(&stream);
    *output = buffer;
    *output_length = out_offset;
    return SLOPE_CODEC_OK;
}
