// Evaluating a sub-net with inherited weights: BN re-calibration (reset the running statistics,
// forward a few thousand training images, augmented as in training, in train mode without
// gradients, keep the cumulative average of the batch statistics, as Once-for-All does), then
// top-1 on a test set.
// LibTorch header: include only from supernet/ sources and tests.
//
//   net->set_active(arch);
//   recalibrate_bn(net, calibration_images, norm, train.augment, 200, device);
//   Accuracy a = measure_top1(net, test, norm, 500, arch.resolution, device);
#pragma once

#include <torch/torch.h>

#include <functional>

#include "data/image_set.h"
#include "supernet/batch_loader.h"
#include "supernet/ofa_network.h"

namespace tinynas::supernet {

struct Accuracy {
  double top1 = 0;  // percent
  int64_t images = 0;
  double seconds = 0;
};

// Resets every BN's running statistics and re-estimates them for the active sub-net from
// `images` (all of them, in order: pick the subset with data::subset for a seeded choice) at the
// active arch's resolution. Leaves the network in eval mode.
// The images are augmented as the network was trained (`augment`, with a fixed seed, so every
// sub-net sees the same batches): the layers after each BN learnt the statistics of augmented
// batches, and statistics of the bare images shift them (ResNet-8 on CIFAR-10 loses 2.6 points
// of top-1 when padded crops are trained but not re-calibrated with).
void recalibrate_bn(OFANetwork& net, const data::ImageSet& images, const Normalization& norm,
                    const AugmentOptions& augment, int batch_size, const torch::Device& device);

// Top-1 of forward() on set at resolution, in eval mode without gradients.
Accuracy measure_top1(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                      const data::ImageSet& set, const Normalization& norm, int batch_size,
                      int resolution, const torch::Device& device);
Accuracy measure_top1(OFANetwork& net, const data::ImageSet& set, const Normalization& norm,
                      int batch_size, const torch::Device& device);

// Running statistics of every BN, to put them back after a temporary re-calibration.
std::vector<torch::Tensor> save_bn_stats(const OFANetwork& net);
void restore_bn_stats(OFANetwork& net, const std::vector<torch::Tensor>& saved);

}  // namespace tinynas::supernet
