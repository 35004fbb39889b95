// JPEG decoding over libjpeg(-turbo), with errors caught by setjmp/longjmp and no output on stderr.

#include "CImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/// A progressive JPEG with more scans than this is treated as corrupt (fuzzed files can hold
/// thousands of tiny scans that take minutes to decode; real encoders write about 10).
enum { max_scans = 500 };

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    slope_codec_status status;
    char message[SLOPE_CODEC_MESSAGE_SIZE];
} jpeg_error_state;

static void jpeg_fail(j_common_ptr cinfo, slope_codec_status status) {
    jpeg_error_state *state = (jpeg_error_state *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    state->status = status;
    snprintf(state->message, sizeof state->message, "%s", text);
    longjmp(state->jump, 1);
}

static void jpeg_error_exit(j_common_ptr cinfo) { jpeg_fail(cinfo, SLOPE_CODEC_CORRUPT); }

static void jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;  // trace messages
    // Warnings that mean the pixels would be wrong or made up are errors here; the harmless ones
    // (extraneous bytes, odd JFIF/Adobe markers) are ignored like other decoders do.
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
        jpeg_fail(cinfo, SLOPE_CODEC_TRUNCATED);
        break;
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
        jpeg_fail(cinfo, SLOPE_CODEC_CORRUPT);
        break;
    default:
        break;
    }
}

static void jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void jpeg_progress(j_common_ptr cinfo) {
    if (cinfo->is_decompressor && ((j_decompress_ptr)cinfo)->input_scan_number > max_scans) {
        jpeg_error_state *state = (jpeg_error_state *)cinfo->err;
        state->status = SLOPE_CODEC_CORRUPT;
        snprintf(state->message, sizeof state->message,
                 "more than %d progressive scans", (int)max_scans);
        longjmp(state->jump, 1);
    }
}

slope_codec_status slope_jpeg_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                                     uint8_t **pixels, slope_image_info *info) {
    *pixels = NULL;
    memset(info, 0, sizeof *info);
    if (length == 0) {
        snprintf(info->message, sizeof info->message, "the data is empty");
        return SLOPE_CODEC_TRUNCATED;
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_error_state errors;
    struct jpeg_progress_mgr progress;
    memset(&cinfo, 0, sizeof cinfo);
    memset(&progress, 0, sizeof progress);
    cinfo.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = jpeg_error_exit;
    errors.manager.emit_message = jpeg_emit_message;
    errors.manager.output_message = jpeg_output_message;
    errors.status = SLOPE_CODEC_OK;
    errors.message[0] = 0;
    progress.progress_monitor = jpeg_progress;
    uint8_t *volatile buffer = NULL;

    if (setjmp(errors.jump)) {
        free(buffer);
        jpeg_destroy_decompress(&cinfo);
        snprintf(info->message, sizeof info->message, "%s", errors.message);
        return errors.status == SLOPE_CODEC_OK ? SLOPE_CODEC_CORRUPT : errors.status;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, (const unsigned char *)data, (unsigned long)length);
    jpeg_read_header(&cinfo, TRUE);

    uint32_t width = cinfo.image_width, height = cinfo.image_height;
    info->width = width;
    info->height = height;
    if ((uint64_t)width * (uint64_t)height > max_pixels) {
        jpeg_destroy_decompress(&cinfo);
        snprintf(info->message, sizeof info->message,
                 "%u x %u pixels is more than the limit of %llu pixels",
                 (unsigned)width, (unsigned)height, (unsigned long long)max_pixels);
        return SLOPE_CODEC_TOO_LARGE;
    }
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        jpeg_destroy_decompress(&cinfo);
        snprintf(info->message, sizeof info->message,
                 "CMYK JPEGs are not supported; convert the file to RGB");
        return SLOPE_CODEC_UNSUPPORTED;
    default:
        cinfo.out_color_space = JCS_RGB;
        break;
    }
    jpeg_start_decompress(&cinfo);
    int channels = cinfo.output_components;
    if ((channels != 1 && channels != 3) || cinfo.output_width != width ||
        cinfo.output_height != height) {
        jpeg_destroy_decompress(&cinfo);
        snprintf(info->message, sizeof info->message, "unexpected output layout");
        return SLOPE_CODEC_UNSUPPORTED;
    }
    size_t row = (size_t)width * (size_t)channels;
    size_t total = row * height;
    // Grow with the data actually decoded, so a short file that claims a huge size fails early.
    size_t capacity = length * 8 + (1u << 20);
    if (capacity > total) capacity = total;
    buffer = malloc(capacity);
    if (buffer == NULL) {
        errors.status = SLOPE_CODEC_NO_MEMORY;
        snprintf(errors.message, sizeof errors.message, "out of memory");
        longjmp(errors.jump, 1);
    }
    while (cinfo.output_scanline < height) {
        size_t filled = (size_t)cinfo.output_scanline * row;
        if (filled + row > capacity) {
            size_t grown = capacity * 2 < total ? capacity * 2 : total;
            if (grown < filled + row) grown = filled + row;
            uint8_t *bigger = realloc(buffer, grown);
            if (bigger == NULL) {
                errors.status = SLOPE_CODEC_NO_MEMORY;
                snprintf(errors.message, sizeof errors.message, "out of memory");
                longjmp(errors.jump, 1);
            }
            buffer = bigger;
            capacity = grown;
        }
        JSAMPROW line = buffer + filled;
        if (jpeg_read_scanlines(&cinfo, &line, 1) != 1) {
            errors.status = SLOPE_CODEC_TRUNCATED;
            snprintf(errors.message, sizeof errors.message, "the data ends early");
            longjmp(errors.jump, 1);
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    info->channels = (uint32_t)channels;
    *pixels = buffer;
    return SLOPE_CODEC_OK;
}
