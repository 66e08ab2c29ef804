// The part of an ONNX graph an op writes (EngineOp::to_onnx), without protobuf: the exporter
// (onnx_export.cpp) implements it, so op definitions compile whether or not ONNX is installed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinynas::engine {

struct OnnxAttribute {
  std::string name;
  std::vector<int64_t> ints;  // an INTS attribute, or the single value of an INT one
  bool is_list = true;

  static OnnxAttribute list(std::string name, std::vector<int64_t> values) {
    return {std::move(name), std::move(values), true};
  }
  static OnnxAttribute scalar(std::string name, int64_t value) {
    return {std::move(name), {value}, false};
  }
};

class OnnxBuilder {
 public:
  virtual ~OnnxBuilder() = default;
  virtual void initializer(const std::string& name, const std::vector<int64_t>& dims,
                           const std::vector<float>& values) = 0;
  virtual void node(const std::string& op_type, const std::string& name,
                    const std::vector<std::string>& inputs, const std::string& output,
                    const std::vector<OnnxAttribute>& attributes = {}) = 0;
  // Declares an intermediate float tensor's shape.
  virtual void value_info(const std::string& name, const std::vector<int64_t>& dims) = 0;
};

}  // namespace tinynas::engine
