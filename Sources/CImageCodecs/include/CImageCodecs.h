#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H

/*
 * A small, crash-proof C layer over zlib, libpng and libjpeg(-turbo) for Slope's image data.
 *
 * Every function works on memory buffers, never prints, never calls exit/abort on bad input
 * (libpng and libjpeg errors are caught with setjmp/longjmp), and reports failure through a
 * status code plus a NUL-terminated message. Buffers these functions return are allocated with
 * malloc; release them with slope_codec_free.
 */

#include <stddef.h>
#include <stdint.h>

/// Outcome of a codec call.
typedef enum {
    SLOPE_CODEC_OK = 0,
    /// The data is not valid for its format (bad header, bad checksum, bad compressed stream).
    SLOPE_CODEC_CORRUPT = 1,
    /// The data ends before the format says it should.
    SLOPE_CODEC_TRUNCATED = 2,
    /// The image is larger than the caller's pixel limit.
    SLOPE_CODEC_TOO_LARGE = 3,
    /// Valid data in a variant this layer does not decode (e.g. CMYK JPEG).
    SLOPE_CODEC_UNSUPPORTED = 4,
    /// malloc failed.
    SLOPE_CODEC_NO_MEMORY = 5,
    /// gunzip only: the output buffer filled up before the stream ended.
    SLOPE_CODEC_OUTPUT_FULL = 6,
    /// gunzip only: bytes that are not another gzip member follow the gzip stream.
    SLOPE_CODEC_TRAILING_GARBAGE = 7,
} slope_codec_status;

/// Size of the message buffers below.
#define SLOPE_CODEC_MESSAGE_SIZE 256

/// Describes a decoded image and, on failure, why decoding failed.
typedef struct {
    /// Width and height in pixels.
    uint32_t width;
    uint32_t height;
    /// 1 (grayscale) or 3 (RGB); alpha is composited onto white.
    uint32_t channels;
    /// Nonzero when the source had an alpha channel or transparency that was composited.
    uint32_t had_alpha;
    /// What went wrong, for a status other than SLOPE_CODEC_OK.
    char message[SLOPE_CODEC_MESSAGE_SIZE];
} slope_image_info;

/// Frees a buffer returned by one of the functions below (NULL is fine).
void slope_codec_free(void *pointer);

// MARK: - gzip

/// Inflates a gzip stream (one or more members) from `input` into `output`.
///
/// Writes at most `output_capacity` bytes and stores the count in `*output_length`. Returns
/// SLOPE_CODEC_OK when every member ended and all input was used (trailing zero bytes are
/// allowed), SLOPE_CODEC_OUTPUT_FULL when the output filled before the stream ended,
/// SLOPE_CODEC_TRUNCATED when input ran out mid-stream, SLOPE_CODEC_CORRUPT or
/// SLOPE_CODEC_TRAILING_GARBAGE otherwise (with a message).
slope_codec_status slope_gunzip(const uint8_t *input, size_t input_length,
                                uint8_t *output, size_t output_capacity, size_t *output_length,
                                char message[SLOPE_CODEC_MESSAGE_SIZE]);

/// Compresses `input` as one gzip member at `level` (0-9, or -1 for zlib's default).
/// On success `*output` holds a malloc'd buffer of `*output_length` bytes.
slope_codec_status slope_gzip(const uint8_t *input, size_t input_length, int level,
                              uint8_t **output, size_t *output_length);

// MARK: - PNG

/// Decodes a PNG held in memory to 8-bit gray (1 channel) or RGB (3 channels), row-major HWC.
///
/// Handles palette, 1/2/4/16-bit, tRNS, gray+alpha, RGBA (composited onto white) and Adam7
/// interlacing. Images with more than `max_pixels` pixels are refused before any pixel memory is
/// allocated. On success `*pixels` holds a malloc'd buffer of width*height*channels bytes.
slope_codec_status slope_png_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                                    uint8_t **pixels, slope_image_info *info);

/// Encodes already-packed PNG rows (`height` rows of `row_bytes` bytes each, in PNG sample order:
/// big-endian 16-bit samples, MSB-first packed low bit depths) with the given IHDR fields.
///
/// `color_type` uses PNG's codes (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA). `palette` is
/// `palette_count` RGB triples (color type 3 only); `transparency` holds `transparency_count` tRNS
/// bytes (alpha per palette entry for type 3; for types 0 and 2 a big-endian 16-bit gray or RGB
/// triple). On success `*output` holds a malloc'd buffer of `*output_length` bytes.
slope_codec_status slope_png_encode(const uint8_t *rows, size_t row_bytes,
                                    uint32_t width, uint32_t height,
                                    int color_type, int bit_depth, int interlaced,
                                    const uint8_t *palette, int palette_count,
                                    const uint8_t *transparency, int transparency_count,
                                    uint8_t **output, size_t *output_length,
                                    char message[SLOPE_CODEC_MESSAGE_SIZE]);

// MARK: - JPEG

/// Decodes a JPEG held in memory to 8-bit gray (1 channel) or RGB (3 channels), row-major HWC.
///
/// Truncated or corrupt entropy-coded data is an error (not a gray-filled image). CMYK/YCCK JPEGs
/// return SLOPE_CODEC_UNSUPPORTED. Images with more than `max_pixels` pixels are refused before any
/// pixel memory is allocated. On success `*pixels` holds a malloc'd buffer of
/// width*height*channels bytes.
slope_codec_status slope_jpeg_decode(const uint8_t *data, size_t length, uint64_t max_pixels,
                                     uint8_t **pixels, slope_image_info *info);

/// Encodes 8-bit gray (channels 1), RGB (channels 3) or CMYK (channels 4) HWC pixels as a JPEG at
/// `quality` (1-100), baseline or progressive. On success `*output` holds a malloc'd buffer of `*output_length` bytes.
slope_codec_status slope_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                     int channels, int quality, int progressive,
                                     uint8_t **output, size_t *output_length,
                                     char message[SLOPE_CODEC_MESSAGE_SIZE]);

#endif
