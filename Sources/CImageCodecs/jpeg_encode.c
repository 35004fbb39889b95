// JPEG encoding over libjpeg(-turbo) into a malloc'd memory buffer.

#include "CImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
} jpeg_encode_errors;

static void jpeg_encode_error_exit(j_common_ptr cinfo) {
    longjmp(((jpeg_encode_errors *)cinfo->err)->jump, 1);
}

static void jpeg_encode_output_message(j_common_ptr cinfo) { (void)cinfo; }

slope_codec_status slope_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                     int channels, int quality, int progressive,
                                     uint8_t **output, size_t *output_length,
                                     char message[SLOPE_CODEC_MESSAGE_SIZE]) {
    *output = NULL;
    *output_length = 0;
    message[0] = 0;
    if (channels != 1 && channels != 3 && channels != 4) {
        snprintf(message, SLOPE_CODEC_MESSAGE_SIZE, "JPEG encoding needs 1, 3 or 4 channels, got %d", channels);
        return SLOPE_CODEC_UNSUPPORTED;
    }
    struct jpeg_compress_struct cinfo;
    jpeg_encode_errors errors;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = jpeg_encode_error_exit;
    errors.manager.output_message = jpeg_encode_output_message;
    unsigned char *volatile buffer = NULL;
    unsigned long volatile buffer_length = 0;
    if (setjmp(errors.jump)) {
        char text[JMSG_LENGTH_MAX];
        (*cinfo.err->format_message)((j_common_ptr)&cinfo, text);
        snprintf(message, SLOPE_CODEC_MESSAGE_SIZE, "%s", text);
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return SLOPE_CODEC_CORRUPT;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, (unsigned long *)&buffer_length);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : (channels == 3 ? JCS_RGB : JCS_CMYK);
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    size_t row = (size_t)width * (size_t)channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW line = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * row);
        jpeg_write_scanlines(&cinfo, &line, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *output = buffer;
    *output_length = buffer_length;
    return SLOPE_CODEC_OK;
}
