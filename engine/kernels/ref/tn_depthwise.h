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
 * tn_depthwise_inplace_kKsS() in which they are constants, so the compiler unrolls the K x K
 * window. The generated model.c instantiates only the (K, S) pairs its layers use:
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

/* The template; kernel and stride become constants in each specialisation. */
static inline TN_ALWAYS_INLINE void tn_depthwise_inplace_generic(int8_t* buffer, int in_h, int in_w,
                                                                 int channels, int out_h, int out_w,
                                                                 const tn_layer* layer,
                                                                 int8_t* plane, const int kernel,
                                                                 const int stride) {
  const int pad = kernel / 2;
  const int plane_w = in_w + 2 * pad;
  const int plane_h = in_h + 2 * pad;
  const int8_t zero_point = (int8_t)(-layer->input_offset);
  int c, y, x, oy, ox, ky, kx;
  for (c = 0; c < channels; ++c) {
    const int8_t* w = layer->weights + (long)c * kernel * kernel;
    int32_t base = layer->bias[c];
    /* Padding holds the zero point, so sum(w * (x + offset)) = sum(w * x) + offset * sum(w). */
    for (ky = 0; ky < kernel * kernel; ++ky) base += layer->input_offset * w[ky];

    memset(plane, zero_point, (size_t)plane_w * (size_t)plane_h);
    for (y = 0; y < in_h; ++y) {
      int8_t* row = plane + (long)(y + pad) * plane_w + pad;
      const int8_t* src = buffer + (long)y * in_w * channels + c;
      for (x = 0; x < in_w; ++x) row[x] = src[(long)x * channels];
    }
    for (oy = 0; oy < out_h; ++oy) {
      for (ox = 0; ox < out_w; ++ox) {
        const int8_t* window = plane + (long)oy * stride * plane_w + (long)ox * stride;
        int32_t acc = base;
        for (ky = 0; ky < kernel; ++ky)
          for (kx = 0; kx < kernel; ++kx)
            acc += (int32_t)w[ky * kernel + kx] * window[ky * plane_w + kx];
        buffer[((long)oy * out_w + ox) * channels + c] = tn_output(acc, layer, c);
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
