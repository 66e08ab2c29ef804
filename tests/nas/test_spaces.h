// Loads the shipped search spaces for tests.
#pragma once

#include <string>

#include "nas/search_space.h"

namespace tinynas::nas::testing {

inline const std::string kConfigDir = TINYNAS_TEST_CONFIG_DIR;

inline const SearchSpace& shipped_space(const std::string& name) {
  static const SearchSpace mcunet = load_space("mcunet", kConfigDir);
  static const SearchSpace mbv2 = load_space("mbv2", kConfigDir);
  static const SearchSpace cifar = load_space("cifar", kConfigDir);
  static const SearchSpace resnet = load_space("resnet", kConfigDir);
  if (name == "mbv2") return mbv2;
  if (name == "resnet") return resnet;
  if (name == "cifar") return cifar;
  return mcunet;
}

}  // namespace tinynas::nas::testing
