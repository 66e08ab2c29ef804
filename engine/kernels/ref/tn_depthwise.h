/* Depthwise int8 convolution (channel multiplier 1, padding kernel / 2, stride 1 or 2).
 *
 * In place (the scheduler's rule when the input dies at this op): input and output share one
 * buffer. Channel by channel, the input channel is copied into a one-channel padded plane of
 * (in_h + 2p) x (in_w + 2p) bytes (border = the input zero point, i.e. real 0), then the output
 * channel is written over the same buffer. In HWC, output channel c only overwrites bytes of input
 * channel c, which the plane already holds, so this is safe for any stride.
 *
 * One template, many specialisations: tn_depthwise_inplace_generic() is written once with kernel
 * and stride as parameters; TN_DEFINE_DEPTHWISE_INPLACE(K, S) defines a static function
 * tn_depthwise_inplace_kKsS() in which they are constants, so the K x K taps unroll fully
 * (TN_UNROLL). The generated model.c instantiates only the (K, S) pairs its layers use:
 *
 *   TN_DEFINE_DEPTHWISE_INPLACE(3, 2)
 *   ...
 *   tn_depthwise_inplace_k3s2(A + 0, 24, 24, 48, 12, 12, &b1_dw, A + 27648);
 *
 * Not in place (input still needed later): tn_depthwise_s8() reads the input buffer directly,
 * with bounds checks instead of a plane, and needs no scratch.
 */
#ifndef TN_DEPTHWISE_H
#define TN_DEPTHWISE_H

#include "tn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of scratch the in-place kernels need: one padded channel plane. The tinynas scheduler
 * reserves exactly this in the arena (memory_model/ops/depthwise_conv2d.cpp). */
static inline int32_t tn_depthwise_inplace_scratch_bytes(int in_h, int in_w, int pad) {
  return (in_h + 2 * pad) * (in_w + 2 * pad);
}

void tn_depthwise_s8(const int8_t* input, int in_h, int in_w, int channels, int out_h, int out_w,
                     int kernel, int stride, const tn_layer* layer, int8_t* output);

/* The template; kernel and stride become constants in each specialisation, so the taps unroll.
 * Two outputs of a row per step (four at stride 1 on rows of 8 or more): they share the weight
 * loads and, overlapping, most window loads (K + 1 bytes a row at stride 1, K + 2 at stride 2,
 * instead of 2K). The plane's border holds the zero point for every channel, so it is written
 * once and each channel only fills the interior. */
static inline TN_ALWAYS_INLINE void tn_depthwise_inplace_generic(int8_t* buffer, int in_h, int in_w,
                                                                 int channels, int out_h, int out_w,
                                                                 const tn_layer* layer,
                                                                 int8_t* plane, const int kernel,
                                                                 const int stride) {
  const int pad = kernel / 2;
  const int plane_w = in_w + 2 * pad;
  const int plane_h = in_h + 2 * pad;
  const long row_step = (long)in_w * channels;
  int c, y, x, oy, ox, ky, kx;
  memset(plane, (int8_t)(-layer->input_offset), (size_t)plane_w * (size_t)plane_h);
  for (c = 0; c < channels; ++c) {
    const int8_t* w = layer->weights + (long)c * kernel * kernel;
    int8_t* const out = buffer + c; /* output o of the channel at out[o * channels] */
    long o = 0;
    const tn_requant rq = tn_requant_channel(layer, c);
    int32_t base = layer->bias[c];
    /* Padding holds the zero point, so sum(w * (x + offset)) = sum(w * x) + offset * sum(w). */
    for (ky = 0; ky < kernel * kernel; ++ky) base += layer->input_offset * w[ky];

    for (y = 0; y < in_h; ++y) {
      int8_t* row = plane + (long)(y + pad) * plane_w + pad;
      const int8_t* src = buffer + y * row_step + c;
      for (x = 0; x < in_w; ++x) row[x] = src[(long)x * channels];
    }
    for (oy = 0; oy < out_h; ++oy) {
      const int8_t* window = plane + (long)oy * stride * plane_w;
      ox = 0;
      /* Stride 1 on rows of at least 8 outputs: four outputs a step, each weight loaded once for
       * four (7x7 2.86 -> 2.39 per MAC on mcunet-in2). Not on narrower rows: with it there,
       * mcunet-in0's 5x5 layers on 2x2 and 3x3 maps measured dearer, GCC allocating the channel
       * loop's registers differently. Not at stride 2: 3x3/2 measured dearer too. */
      if (stride == 1 && out_w >= 8) {
        for (; ox + 4 <= out_w; ox += 4, window += 4 * stride) {
          int32_t acc0 = base, acc1 = base, acc2 = base, acc3 = base;
          TN_UNROLL
          for (ky = 0; ky < kernel; ++ky) {
            const int8_t* r = window + ky * plane_w;
            TN_UNROLL
            for (kx = 0; kx < kernel; ++kx) {
              const int32_t wk = w[ky * kernel + kx];
              acc0 += wk * r[kx];
              acc1 += wk * r[kx + stride];
              acc2 += wk * r[kx + 2 * stride];
              acc3 += wk * r[kx + 3 * stride];
            }
          }
          out[o * channels] = tn_output_with(acc0, &rq);
          out[(o + 1) * channels] = tn_output_with(acc1, &rq);
          out[(o + 2) * channels] = tn_output_with(acc2, &rq);
          out[(o + 3) * channels] = tn_output_with(acc3, &rq);
          o += 4;
        }
      }
      for (; ox + 2 <= out_w; ox += 2, window += 2 * stride) {
        int32_t acc0 = base, acc1 = base;
        TN_UNROLL
        for (ky = 0; ky < kernel; ++ky) {
          const int8_t* r = window + ky * plane_w;
          TN_UNROLL
          for (kx = 0; kx < kernel; ++kx) {
            const int32_t wk = w[ky * kernel + kx];
            acc0 += wk * r[kx];
            acc1 += wk * r[kx + stride];
          }
        }
        out[o * channels] = tn_output_with(acc0, &rq);
        out[(o + 1) * channels] = tn_output_with(acc1, &rq);
        o += 2;
      }
      if (ox < out_w) { /* an odd row width leaves one */
        int32_t acc = base;
        TN_UNROLL
        for (ky = 0; ky < kernel; ++ky) {
          TN_UNROLL
          for (kx = 0; kx < kernel; ++kx) acc += w[ky * kernel + kx] * window[ky * plane_w + kx];
        }
        out[o * channels] = tn_output_with(acc, &rq);
        ++o;
      }
    }
  }
}

#define TN_DEFINE_DEPTHWISE_INPLACE(K, S)                                                         \
  static void tn_depthwise_inplace_k##K##s##S(int8_t* buffer, int in_h, int in_w, int channels,   \
                                              int out_h, int out_w, const tn_layer* layer,        \
                                              int8_t* plane) {                                    \
    tn_depthwise_inplace_generic(buffer, in_h, in_w, channels, out_h, out_w, layer, plane, K, S); \
  }

#ifdef __cplusplus
}
#endif

#endif /* TN_DEPTHWISE_H */
