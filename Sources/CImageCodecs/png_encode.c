// PNG encoding over libpng into a growing memory buffer.

#include "CImageCodecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *data;
    size_t length;
    size_t capacity;
    int out_of_memory;
    char message[SLOPE_CODEC_MESSAGE_SIZE];
} png_sink;

static void png_sink_error(png_structp png, png_const_charp text) {
    png_sink *sink = (png_sink *)png_get_error_ptr(png);
    if (sink != NULL && sink->message[0] == 0) {
        snprintf(sink->message, sizeof sink->message, "%s", text ? text : "libpng error");
    }
    png_longjmp(png, 1);
}

static void png_sink_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void png_sink_write(png_structp png, png_bytep bytes, png_size_t count) {
    png_sink *sink = (png_sink *)png_get_io_ptr(png);
    if (count > sink->capacity - sink->length) {
        size_t grown = sink->capacity ? sink->capacity : 4096;
        while (grown - sink->length < count) grown *= 2;
        uint8_t *bigger = realloc(sink->data, grown);
        if (bigger == NULL) {
            sink->out_of_memory = 1;
            png_error(png, "out of memory");
        }
        sink->data = bigger;
        sink->capacity = grown;
    }
    memcpy(sink->data + sink->length, bytes, count);
    sink->length += count;
}

static void png_sink_flush(png_structp png) { (void)png; }

slope_codec_status slope_png_encode(const uint8_t *rows, size_t row_bytes,
                                    uint32_t width, uint32_t height,
                                    int color_type, int bit_depth, int interlaced,
                                    const uint8_t *palette, int palette_count,
                                    const uint8_t *transparency, int transparency_count,
                                    uint8_t **output, size_t *output_length,
                                    char message[SLOPE_CODEC_MESSAGE_SIZE]) {
    *output = NULL;
    *output_length = 0;
    message[0] = 0;
    png_sink sink = {NULL, 0, 0, 0, {0}};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink,
                                              png_sink_error, png_sink_warning);
    if (png == NULL) return SLOPE_CODEC_NO_MEMORY;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        return SLOPE_CODEC_NO_MEMORY;
    }
    png_bytep *volatile row_pointers = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(row_pointers);
        free(sink.data);
        png_destroy_write_struct(&png, &info);
        snprintf(message, SLOPE_CODEC_MESSAGE_SIZE, "%s", sink.message);
        return sink.out_of_memory ? SLOPE_CODEC_NO_MEMORY : SLOPE_CODEC_CORRUPT;
    }
    png_set_write_fn(png, &sink, png_sink_write, png_sink_flush);
    png_set_user_limits(png, 0x7fffffffu, 0x7fffffffu);
    png_set_IHDR(png, info, width, height, bit_depth, color_type,
                 interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        if (palette == NULL || palette_count < 1 || palette_count > 256) {
            png_error(png, "a palette image needs 1 to 256 palette entries");
        }
        png_color entries[256];
        for (int i = 0; i < palette_count; i++) {
            entries[i].red = palette[3 * i];
            entries[i].green = palette[3 * i + 1];
            entries[i].blue = palette[3 * i + 2];
        }
        png_set_PLTE(png, info, entries, palette_count);
        if (transparency != NULL && transparency_count > 0) {
            png_set_tRNS(png, info, (png_const_bytep)transparency, transparency_count, NULL);
        }
    } else if (transparency != NULL && transparency_count > 0) {
        png_color_16 key;
        memset(&key, 0, sizeof key);
        if (color_type == PNG_COLOR_TYPE_GRAY && transparency_count >= 2) {
            key.gray = (png_uint_16)((transparency[0] << 8) | transparency[1]);
            png_set_tRNS(png, info, NULL, 0, &key);
        } else if (color_type == PNG_COLOR_TYPE_RGB && transparency_count >= 6) {
            key.red = (png_uint_16)((transparency[0] << 8) | transparency[1]);
            key.green = (png_uint_16)((transparency[2] << 8) | transparency[3]);
            key.blue = (png_uint_16)((transparency[4] << 8) | transparency[5]);
            png_set_tRNS(png, info, NULL, 0, &key);
        }
    }
    png_write_info(png, info);
    if (png_get_rowbytes(png, info) != row_bytes) {
        png_error(png, "row length does not match width, color type and bit depth");
    }
    row_pointers = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (row_pointers == NULL) {
        sink.out_of_memory = 1;
        png_error(png, "out of memory");
    }
    for (uint32_t y = 0; y < height; y++) row_pointers[y] = (png_bytep)(rows + (size_t)y * row_bytes);
    png_write_image(png, row_pointers);
    png_write_end(png, NULL);
    free(row_pointers);
    row_pointers = NULL;
    png_destroy_write_struct(&png, &info);
    *output = sink.data;
    *output_length = sink.length;
    return SLOPE_CODEC_OK;
}
