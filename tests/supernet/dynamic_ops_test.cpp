// Dynamic ops and the OFA network: elastic kernel through transformation matrices, importance
// sorting, elastic depth / expansion, and archs the supernet cannot run.
#include <gtest/gtest.h>

#include "nas/sampling.h"
#include "supernet/ofa_network.h"
#include "test_support.h"

namespace tinynas::supernet {
namespace {

using testing::tiny_space;

torch::Tensor centre(const torch::Tensor& f, int from, int to) {
  const int s = (from - to) / 2;
  return f.slice(2, s, s + to).slice(3, s, s + to);
}

TEST(DynamicDepthwiseTest, SmallKernelIsTheTransformedCentreOfTheLargest) {
  torch::set_num_threads(1);
  torch::manual_seed(1);
  DynamicDepthwiseConv2d dw(6, std::vector<int>{3, 5, 7}, 1);
  {
    torch::NoGradGuard g;  // non-identity matrices, so the test sees the transformation
    dw->transform(7).copy_(torch::randn({25, 25}));
    dw->transform(5).copy_(torch::randn({9, 9}));
  }
  const torch::Tensor w7 = dw->weight.detach();
  const torch::Tensor m75 = dw->transform(7).detach(), m53 = dw->transform(5).detach();
  // By hand: crop 7 -> 5, mix the 25 taps; crop 5 -> 3, mix the 9 taps.
  const torch::Tensor k5 =
      torch::matmul(centre(w7, 7, 5).reshape({6, 25}), m75.t()).reshape({6, 1, 5, 5});
  const torch::Tensor k3 =
      torch::matmul(centre(k5, 5, 3).reshape({6, 9}), m53.t()).reshape({6, 1, 3, 3});
  EXPECT_TRUE(torch::allclose(dw->active_filter(6, 5), k5, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(dw->active_filter(6, 3), k3, 1e-5, 1e-6));
  EXPECT_TRUE(torch::equal(dw->active_filter(6, 7), w7));
  EXPECT_TRUE(torch::equal(dw->active_filter(4, 7), w7.slice(0, 0, 4)));
  // The forward pass uses exactly that filter.
  const torch::Tensor x = torch::randn({2, 4, 9, 9});
  EXPECT_TRUE(torch::allclose(dw->forward(x, 3),
                              torch::conv2d(x, k3.slice(0, 0, 4), {}, 1, 1, 1, 4), 1e-5, 1e-5));
  EXPECT_THROW(dw->active_filter(6, 4), std::invalid_argument);
}

TEST(DynamicDepthwiseTest, IdentityMatricesGiveThePlainCentreCrop) {
  torch::manual_seed(2);
  DynamicDepthwiseConv2d dw(3, std::vector<int>{3, 5, 7}, 2);
  EXPECT_TRUE(torch::allclose(dw->active_filter(3, 3), centre(dw->weight, 7, 3)));
  // The matrices are parameters (learned) with OFA's names.
  const auto names = dw->named_parameters().keys();
  EXPECT_NE(std::find(names.begin(), names.end(), "7to5_matrix"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "5to3_matrix"), names.end());
}

TEST(DynamicBatchNormTest, SlicesStatisticsAndUpdatesTheStoredOnes) {
  DynamicBatchNorm2d bn(8, 1e-5, 0.5);
  bn->train();
  bn->forward(torch::ones({2, 3, 2, 2}) * 4);
  EXPECT_FLOAT_EQ(bn->running_mean[0].item<float>(), 2.f);
  EXPECT_FLOAT_EQ(bn->running_mean[5].item<float>(), 0.f);
}

OFANetwork tiny_net(uint64_t seed = 3) {
  torch::manual_seed(seed);
  SupernetOptions o;
  o.width_mult = 1.0;
  return OFANetwork(tiny_space(), o, 4);
}

// Random BN statistics and affine parameters, so eval-mode outputs depend on every channel.
void randomise_bn(OFANetwork& net) {
  torch::NoGradGuard g;
  for (auto& bn : net->batch_norms()) {
    bn->weight.uniform_(0.5, 1.5);
    bn->bias.uniform_(-0.2, 0.2);
    bn->running_mean.uniform_(-0.1, 0.1);
    bn->running_var.uniform_(0.5, 2);
  }
}

TEST(OFANetworkTest, ChannelSortingLeavesTheFullNetworkUnchanged) {
  OFANetwork net = tiny_net();
  randomise_bn(net);
  net->eval();
  const torch::Tensor x = torch::randn({3, 3, 16, 16});
  const torch::Tensor before = net->forward(x);
  const torch::Tensor w_before = net->stages[0][0]->mbconv.expand->weight.clone();
  net->sort_channels();
  EXPECT_FALSE(
      torch::equal(w_before, net->stages[0][0]->mbconv.expand->weight));  // something moved
  EXPECT_TRUE(torch::allclose(net->forward(x), before, 1e-5, 1e-5));
  // Most important first: L1 norms of the project weights per middle channel are descending.
  const torch::Tensor imp = net->stages[1][1]->mbconv.project->weight.abs().sum({0, 2, 3});
  EXPECT_TRUE(torch::all(imp.slice(0, 0, -1) >= imp.slice(0, 1)).item<bool>());
}

TEST(OFANetworkTest, ResidualChannelSortingLeavesTheFullNetworkUnchanged) {
  torch::manual_seed(4);
  SupernetOptions o;
  o.width_mult = 1.0;
  OFANetwork net(testing::tiny_residual_space(), o, 4);
  randomise_bn(net);
  net->eval();
  const torch::Tensor x = torch::randn({3, 3, 16, 16});
  const torch::Tensor before = net->forward(x);
  const torch::Tensor w_before = net->stages[2][0]->residual.conv1->weight.clone();
  net->sort_channels();
  EXPECT_FALSE(torch::equal(w_before, net->stages[2][0]->residual.conv1->weight));
  EXPECT_TRUE(torch::allclose(net->forward(x), before, 1e-5, 1e-5));
  const torch::Tensor imp = net->stages[0][1]->residual.conv2->weight.abs().sum({0, 2, 3});
  EXPECT_TRUE(torch::all(imp.slice(0, 0, -1) >= imp.slice(0, 1)).item<bool>());
}

TEST(OFANetworkTest, SubnetsUseFewerBlocksChannelsAndSmallerKernels) {
  OFANetwork net = tiny_net();
  nas::Arch a = net->smallest(12);
  net->set_active(a);
  EXPECT_EQ(net->stages[0][0]->active_middle(), 24);  // make_divisible(8 * 3)
  EXPECT_EQ(net->stages[0][0]->active_kernel(), 3);
  net->eval();
  const torch::Tensor y = net->forward(torch::randn({2, 3, 12, 12}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 4}));
  // Depth: the second block of each stage does not influence the smallest sub-net.
  const torch::Tensor x = torch::randn({2, 3, 12, 12});
  const torch::Tensor before = net->forward(x);
  {
    torch::NoGradGuard g;
    net->stages[0][1]->mbconv.project->weight.mul_(3);
  }
  EXPECT_TRUE(torch::equal(net->forward(x), before));
}

TEST(OFANetworkTest, RejectsArchsOutsideTheSupernet) {
  OFANetwork net = tiny_net();
  nas::Arch a = net->largest(16);
  a.stages[0].blocks[0].kernel = 9;
  EXPECT_THROW(net->set_active(a), std::invalid_argument);
  a = net->largest(16);
  a.width_mult = 0.5;
  try {
    net->set_active(a);
    ADD_FAILURE();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("width_mult"), std::string::npos);
  }
  a = net->largest(16);
  a.stages[1].blocks.resize(3);
  EXPECT_THROW(net->set_active(a), std::invalid_argument);
  a = net->largest(16);
  a.num_classes = 10;
  EXPECT_THROW(net->set_active(a), std::invalid_argument);
}

}  // namespace
}  // namespace tinynas::supernet
