// PNG decoding over libpng, with errors caught by setjmp/longjmp and no output on stderr.

#include "CImageCodecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// State shared with libpng's callbacks through the io and error pointers.
typedef struct {
    const uint8_t *data;
    size_t length;
    size_t offset;
    slope_codec_status status;  // set by the read callback when it runs out of data
    char message[SLOPE_CODEC_MESSAGE_SIZE];
} png_source;

static void png_source_error(png_structp png, png_const_charp text) {
    png_source *source = (png_source *)png_get_error_ptr(png);
    if (source != NULL && source->status == SLOPE_CODEC_OK) {
        source->status = SLOPE_CODEC_CORRUPT;
        snprintf(source->message, sizeof source->message, "%s", text ? text : "libpng error");
    }
    png_longjmp(png, 1);
}

static void png_source_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;  // warnings (bad ancillary chunks, benign errors) do not stop decoding
}

static void png_source_read(png_structp png, png_bytep out, png_size_t count) {
    png_source *source = (png_source *)png_get_io_ptr(png);
    if (count > source->length - source->offset) {
        source->status = SLOPE_CODEC_TRUNCATED;
        snprintf(source->message, sizeof source->message,
                 "the data ends early (the file is truncated)");
        png_error(png, "truncated");
    }
    memcpy(out, source->data + source->offset, count);
    source->offset += count;
}

/// Composites `count` pixels of gray+alpha or RGBA (`color` color channels + 1 alpha) onto white,
/// writing `color` channels per pixel to `out` (which may alias `in`: it never runs ahead).
static void composite_on_white(const uint8_t *in, uint8_t *out, size_t count, int color) {
    for (size_t i = 0; i < count; i++) {
        const uint8_t *p = in + i * (size_t)(color + 1);
        unsigned alpha = p[color];
        for (int c = 0; c < color; c++) {
            unsigned value = (p[c] * alpha + 255u * (255u - alpha) + 127u) / 255u;
            out[i * (size_t)color + (size_t)c] = (uint8_t)value;
        }
    }
}

/// The total length of the IDAT chunks present in the file (a chunk cut short counts what is there).
static uint64_t idat_bytes(const uint8_t *data, size_t length) {
    uint64_t total = 0;
    size_t offset = 8;
    while (offset + 8 <= length) {
        uint32_t chunk = (uint32_t)data[offset] << 24 | (uint32_t)data[offset + 1] << 16 |
                         (uint32_t)data[offset + 2] << 8 | (uint32_t)data[offset + 3];
        size_t available = length - offset - 8;
        if (memcmp(data + offset + 4, "IDAT", 4) == 0) total += chunk < available ? chunk : available;
        if (chunk > available || available - chunk < 4) break;
        offset += 12 + (size_t)chunk;
    }
    return total;
}

/// Deflate expands at most 1032-fold; more image data than that from the IDAT chunks present means
/// the file is cut short or its header is corrupt, and is refused before pixel memory is allocated.
static const uint64_t max_inflate_ratio = 1032;

slope_codec_status slope_png_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                                    uint8_t **pixels, slope_image_info *info) {
    *pixels = NULL;
    memset(info, 0, sizeof *info);
    png_source source = {data, length, 0, SLOPE_CODEC_OK, {0}};
    if (length < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        snprintf(info->message, sizeof info->message, "not a PNG signature");
        return SLOPE_CODEC_CORRUPT;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source,
                                             png_source_error, png_source_warning);
    if (png == NULL) {
        snprintf(info->message, sizeof info->message, "libpng could not start (out of memory)");
        return SLOPE_CODEC_NO_MEMORY;
    }
    png_infop png_info = png_create_info_struct(png);
    // Locals changed after setjmp and read after a longjmp must be volatile.
    uint8_t *volatile buffer = NULL;
    png_bytep *volatile rows = NULL;
    png_bytep volatile row = NULL;
    volatile slope_codec_status result = SLOPE_CODEC_OK;
    if (png_info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(info->message, sizeof info->message, "libpng could not start (out of memory)");
        return SLOPE_CODEC_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(buffer);
        free(rows);
        free(row);
        png_destroy_read_struct(&png, &png_info, NULL);
        if (result != SLOPE_CODEC_OK) return result;
        snprintf(info->message, sizeof info->message, "%s", source.message);
        return source.status == SLOPE_CODEC_OK ? SLOPE_CODEC_CORRUPT : source.status;
    }
    png_set_read_fn(png, &source, png_source_read);
    png_set_user_limits(png, 0x7fffffffu, 0x7fffffffu);
    png_set_chunk_malloc_max(png, 16u << 20);  // bounds decompressed ancillary chunks (iCCP, zTXt)
    png_read_info(png, png_info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, png_info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    if (width == 0 || height == 0) {
        png_error(png, "the image has zero width or height");
    }
    if ((uint64_t)width * (uint64_t)height > max_pixels) {
        info->width = width;
        info->height = height;
        snprintf(info->message, sizeof info->message,
                 "%u x %u pixels is more than the limit of %llu pixels",
                 (unsigned)width, (unsigned)height, (unsigned long long)max_pixels);
        result = SLOPE_CODEC_TOO_LARGE;
        png_longjmp(png, 1);
    }

    uint64_t bits_per_pixel = (uint64_t)bit_depth * png_get_channels(png, png_info);
    uint64_t packed_bytes = (uint64_t)width * height / 8 * bits_per_pixel;  // a lower bound on the inflated size
    if (packed_bytes > idat_bytes(data, length) * max_inflate_ratio + 4096) {
        source.status = SLOPE_CODEC_TRUNCATED;
        snprintf(source.message, sizeof source.message,
                 "the image data is too short for %u x %u pixels", (unsigned)width, (unsigned)height);
        png_longjmp(png, 1);
    }

    // Normalize to 8-bit gray, gray+alpha, RGB or RGBA.
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, png_info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16) png_set_scale_16(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, png_info);

    int decoded_channels = png_get_channels(png, png_info);
    size_t row_bytes = png_get_rowbytes(png, png_info);
    if (decoded_channels < 1 || decoded_channels > 4 || png_get_bit_depth(png, png_info) != 8 ||
        row_bytes != (size_t)width * (size_t)decoded_channels) {
        png_error(png, "unexpected pixel layout after conversion to 8 bits");
    }
    int has_alpha = decoded_channels == 2 || decoded_channels == 4;
    int color = has_alpha ? decoded_channels - 1 : decoded_channels;
    size_t out_row = (size_t)width * (size_t)color;

    if (passes > 1) {
        // Adam7 needs the whole image in memory before the last pass completes the rows.
        buffer = malloc(row_bytes * height);
        rows = malloc(sizeof(png_bytep) * height);
        if (buffer == NULL || rows == NULL) {
            snprintf(info->message, sizeof info->message, "out of memory for %u x %u pixels",
                     (unsigned)width, (unsigned)height);
            result = SLOPE_CODEC_NO_MEMORY;
            png_longjmp(png, 1);
        }
        for (png_uint_32 y = 0; y < height; y++) rows[y] = buffer + (size_t)y * row_bytes;
        png_read_image(png, rows);
        if (has_alpha) composite_on_white(buffer, buffer, (size_t)width * height, color);
    } else {
        // Row by row into a buffer that grows with the data actually decoded, so a short file
        // that claims a huge size fails before much memory is taken.
        size_t total = out_row * height;
        size_t capacity = length * 4 + (1u << 20);
        if (capacity > total) capacity = total;
        size_t filled = 0;
        buffer = malloc(capacity);
        row = malloc(row_bytes);  // one decoded row, alpha included
        if (buffer == NULL || row == NULL) {
            result = SLOPE_CODEC_NO_MEMORY;
            snprintf(info->message, sizeof info->message, "out of memory");
            png_longjmp(png, 1);
        }
        for (png_uint_32 y = 0; y < height; y++) {
            if (filled + out_row > capacity) {
                size_t grown = capacity * 2 < total ? capacity * 2 : total;
                if (grown < filled + out_row) grown = filled + out_row;
                uint8_t *bigger = realloc(buffer, grown);
                if (bigger == NULL) {
                    result = SLOPE_CODEC_NO_MEMORY;
                    snprintf(info->message, sizeof info->message, "out of memory");
                    png_longjmp(png, 1);
                }
                buffer = bigger;
                capacity = grown;
            }
            png_read_row(png, row, NULL);
            if (has_alpha) {
                composite_on_white(row, buffer + filled, width, color);
            } else {
                memcpy(buffer + filled, row, out_row);
            }
            filled += out_row;
        }
    }
    // Reads the chunks after the image data: a file cut short there is reported as truncated.
    png_read_end(png, NULL);

    free(rows);
    free(row);
    rows = NULL;
    row = NULL;
    png_destroy_read_struct(&png, &png_info, NULL);
    info->width = width;
    info->height = height;
    info->channels = (uint32_t)color;
    info->had_alpha = (uint32_t)has_alpha;
    *pixels = buffer;
    return SLOPE_CODEC_OK;
}
