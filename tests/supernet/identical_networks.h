// Test assertion: two supernets (or two null ones) hold the same parameters and buffers (BN
// running statistics and batch counts too), bit for bit. For the exact-resume tests.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "supernet/ofa_network.h"

namespace tinynas::supernet::testing {

inline void expect_identical(const OFANetwork& a, const OFANetwork& b, const std::string& what) {
  ASSERT_EQ(static_cast<bool>(a), static_cast<bool>(b)) << what;
  if (!a) return;
  const auto compare = [&](const auto& from_a, const auto& from_b) {
    ASSERT_EQ(from_a.size(), from_b.size()) << what;
    for (const auto& item : from_a) {
      const torch::Tensor x = item.value().detach().to(torch::kDouble);
      const torch::Tensor y = from_b[item.key()].detach().to(torch::kDouble);
      ASSERT_EQ(x.sizes(), y.sizes()) << what << " " << item.key();
      EXPECT_EQ((x - y).abs().max().item<double>(), 0.0) << what << " " << item.key();
    }
  };
  compare(a->named_parameters(true), b->named_parameters(true));
  compare(a->named_buffers(true), b->named_buffers(true));
}

}  // namespace tinynas::supernet::testing
