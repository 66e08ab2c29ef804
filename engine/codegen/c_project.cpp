#include "engine/codegen/c_project.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "engine/codegen/kernel_sources.h"
#include "engine/codegen/schedule_json.h"
#include "memory_model/float_weights.h"
#include "memory_model/scheduler.h"
#include "util/json_reader.h"

namespace tinynas::engine {

using memory::Buffer;
using memory::BufferKind;
using memory::Graph;
using memory::MemoryPlan;
using memory::Op;
using memory::OpType;
using memory::Shape;

namespace {

std::string float_literal(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9gf", v);
  std::string s = buf;
  // "1f" is not a C literal; make sure there is a '.' or an exponent.
  if (s.find_first_of(".e") == std::string::npos) s.insert(s.size() - 1, ".0");
  return s;
}

std::string int_literal(int64_t v) {
  if (v == INT32_MIN) return "(-2147483647 - 1)";
  return std::to_string(v);
}

std::string shape_text(const Shape& s) {
  return std::to_string(s.h) + "x" + std::to_string(s.w) + "x" + std::to_string(s.c);
}

// A C array definition, 16 (int8) or 8 (int32) values per line.
template <typename T>
void write_array(std::ostringstream& out, const char* type, const std::string& name,
                 const std::vector<T>& values) {
  const size_t per_line = sizeof(T) == 1 ? 16 : 8;
  out << "static const " << type << " " << name << "[" << values.size() << "] = {";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i % per_line == 0) out << "\n   ";
    out << " " << int_literal(values[i]) << (i + 1 < values.size() ? "," : "");
  }
  out << "\n};\n";
}

std::string arena(int64_t offset) {
  return "tinynas_arena + " + std::to_string(offset);
}

std::string describe(const Graph& g, const Op& op) {
  const Shape in = g.tensor(op.input).shape;
  const Shape out = g.tensor(op.output).shape;
  std::string kind;
  switch (op.type) {
    case OpType::kConv2d:
      kind = "conv " + std::to_string(op.kernel) + "x" + std::to_string(op.kernel) + "/" +
             std::to_string(op.stride);
      break;
    case OpType::kDepthwiseConv2d:
      kind = "depthwise " + std::to_string(op.kernel) + "x" + std::to_string(op.kernel) + "/" +
             std::to_string(op.stride);
      break;
    case OpType::kAdd:
      kind = "residual add";
      break;
    case OpType::kGlobalAvgPool:
      kind = "global average pool";
      break;
    case OpType::kLinear:
      kind = "linear";
      break;
  }
  return op.name() + ": " + kind + ", " + shape_text(in) + " -> " + shape_text(out) +
         (op.activation == memory::Activation::kRelu6 ? ", ReLU6" : "");
}

class Generator {
 public:
  Generator(const QuantModel& m, const MemoryPlan& plan, const CProjectOptions& options)
      : m_(m), g_(m.graph), plan_(plan), options_(options) {
    if (plan.tensor_buffer.size() != g_.tensors().size())
      throw std::logic_error("memory plan does not belong to this graph (tensor count differs)");
    if (m.tensors.size() != g_.tensors().size() || m.layers.size() != g_.ops().size())
      throw std::logic_error("quantised model is inconsistent with its graph");
    scratch_of_op_.assign(g_.ops().size(), -1);
    for (size_t b = 0; b < plan.buffers.size(); ++b)
      if (plan.buffers[b].kind == BufferKind::kScratch)
        scratch_of_op_[static_cast<size_t>(plan.buffers[b].owner_op)] = static_cast<int>(b);
    std::set<std::string> used;
    for (size_t i = 0; i < g_.ops().size(); ++i) {
      std::string name = "tn_" + g_.ops()[i].name();
      for (char& c : name)
        if (c == '.') c = '_';
      if (!used.insert(name).second) name += "_op" + std::to_string(i);
      symbol_.push_back(name);
    }
  }

  CProject run() {
    CProject project;
    const std::string model_c = model_c_text();  // decides the kernels
    const std::string weights_c = weights_c_text();
    const auto add = [&](const std::string& name, const std::string& text) {
      project.files.emplace_back(name, text);
      project.info.files.push_back(name);
    };
    add("model.h", model_h_text());
    add("model.c", model_c);
    add("weights.h", weights_h_text());
    add("weights.c", weights_c);
    for (const std::string& k : kernels_) {
      add(k, std::string(kernel_source(k)));
      project.info.kernel_files.push_back(k);
    }
    add("CMakeLists.txt", cmake_text());
    add("Makefile", makefile_text());
    add("schedule.json", schedule_to_json(g_, plan_).dump(1) + "\n");
    project.info.arena_bytes = plan_.arena_bytes;
    project.info.weight_bytes = weight_bytes_;
    return project;
  }

 private:
  int64_t offset(int tensor) const { return plan_.tensor_offset(tensor); }
  int buffer(int tensor) const { return plan_.tensor_buffer[static_cast<size_t>(tensor)]; }

  const Buffer& scratch(size_t op, int64_t needed) const {
    const int b = scratch_of_op_[op];
    if (b < 0 || plan_.buffers[static_cast<size_t>(b)].bytes < needed)
      throw std::logic_error("op " + g_.ops()[op].name() + " has no scratch buffer of " +
                             std::to_string(needed) + " bytes in the plan");
    return plan_.buffers[static_cast<size_t>(b)];
  }

  void use(const std::string& kernel) {
    kernels_.insert(kernel + ".h");
    kernels_.insert(kernel + ".c");
  }

  std::string model_c_text() {
    std::ostringstream calls;
    std::set<std::pair<int, int>> dw_variants;
    kernels_.insert("tn_common.h");
    for (size_t i = 0; i < g_.ops().size(); ++i) {
      const Op& op = g_.ops()[i];
      const Shape in = g_.tensor(op.input).shape;
      const Shape out = g_.tensor(op.output).shape;
      const std::string& sym = symbol_[i];
      const bool shares = buffer(op.input) == buffer(op.output);
      if (shares && op.type != OpType::kDepthwiseConv2d && op.type != OpType::kAdd)
        throw std::logic_error("plan puts the output of " + op.name() + " over its input");
      calls << "\n  /* op " << i << " " << describe(g_, op) << " */\n";
      const std::string x = arena(offset(op.input));
      const std::string y = arena(offset(op.output));
      const std::string dims = std::to_string(in.h) + ", " + std::to_string(in.w) + ", " +
                               std::to_string(in.c) + ", " + std::to_string(out.h) + ", " +
                               std::to_string(out.w) + ", " + std::to_string(out.c);
      switch (op.type) {
        case OpType::kConv2d:
          if (op.kernel == 1) {
            use("tn_conv1x1");
            calls << "  tn_conv1x1_s8(" << x << ", " << dims << ", " << op.stride << ", &" << sym
                  << ",\n                " << y << ");\n";
          } else {
            use("tn_conv");
            const Buffer& s = scratch(i, memory::op_scratch_bytes(g_, op, false));
            calls << "  tn_conv2d_s8(" << x << ", " << dims << ", " << op.kernel << ", "
                  << op.stride << ", &" << sym << ",\n               " << y << ", "
                  << arena(s.offset) << " /* im2col, " << s.bytes << " B */);\n";
          }
          break;
        case OpType::kDepthwiseConv2d:
          use("tn_depthwise");
          if (shares) {
            const Buffer& s = scratch(i, memory::op_scratch_bytes(g_, op, true));
            dw_variants.insert({op.kernel, op.stride});
            calls << "  tn_depthwise_inplace_k" << op.kernel << "s" << op.stride << "(" << x << ", "
                  << in.h << ", " << in.w << ", " << in.c << ", " << out.h << ", " << out.w << ", &"
                  << sym << ",\n                            " << arena(s.offset)
                  << " /* channel plane, " << s.bytes << " B */);\n";
          } else {
            calls << "  tn_depthwise_s8(" << x << ", " << in.h << ", " << in.w << ", " << in.c
                  << ", " << out.h << ", " << out.w << ", " << op.kernel << ", " << op.stride
                  << ", &" << sym << ", " << y << ");\n";
          }
          break;
        case OpType::kAdd:
          use("tn_add");
          calls << "  tn_add_s8(" << x << ", " << arena(offset(op.input2)) << ", " << y << ", "
                << out.elements() << ", &" << sym << ");" << (shares ? " /* in place */" : "")
                << "\n";
          break;
        case OpType::kGlobalAvgPool: {
          use("tn_avgpool");
          const QuantLayer& q = m_.layers[i];
          calls << "  tn_global_avgpool_s8(" << x << ", " << in.h << ", " << in.w << ", " << in.c
                << ", " << q.act_min << ", " << q.act_max << ", " << y << ");\n";
          break;
        }
        case OpType::kLinear:
          use("tn_linear");
          calls << "  tn_linear_s8(" << x << ", " << in.elements() << ", " << out.c << ", &" << sym
                << ", " << y << ");\n";
          break;
      }
    }

    std::ostringstream out;
    out << "/* " << title() << "\n"
        << " *\n"
        << " * The network, op by op: every call reads and writes the one arena at offsets the\n"
        << " * tinynas scheduler chose (schedule.json lists every buffer and its lifetime).\n"
        << " * Arena " << plan_.arena_bytes << " bytes (live-set lower bound " << plan_.lower_bound
        << ", placement '" << plan_.strategy << "').\n"
        << " * Generated by tinynas: re-export instead of editing.\n"
        << " */\n"
        << "#include \"model.h\"\n"
        << "#include \"weights.h\"\n";
    for (const std::string& k : kernels_)
      if (k.size() > 2 && k.compare(k.size() - 2, 2, ".h") == 0 && k != "tn_common.h")
        out << "#include \"" << k << "\"\n";
    out << "\n#ifndef TINYNAS_ARENA_ATTRIBUTES\n"
        << "#define TINYNAS_ARENA_ATTRIBUTES __attribute__((aligned(8)))\n"
        << "#endif\n\n"
        << "/* All activations and scratch buffers; the only mutable state of the model. */\n"
        << "int8_t tinynas_arena[TINYNAS_ARENA_BYTES] TINYNAS_ARENA_ATTRIBUTES;\n";
    if (!dw_variants.empty()) {
      out << "\n/* In-place depthwise kernels specialised for the (kernel, stride) pairs used. "
             "*/\n";
      for (const auto& [k, s] : dw_variants)
        out << "TN_DEFINE_DEPTHWISE_INPLACE(" << k << ", " << s << ")\n";
    }
    out << "\nint8_t *tinynas_input(void) { return " << arena(offset(g_.input())) << "; }\n\n"
        << "const int8_t *tinynas_output(void) { return " << arena(offset(g_.output())) << "; }\n\n"
        << "int tinynas_invoke(void) {" << calls.str() << "  return 0;\n}\n";
    return out.str();
  }

  std::string model_h_text() const {
    const Shape in = g_.tensor(g_.input()).shape;
    const Shape out = g_.tensor(g_.output()).shape;
    const TensorQuant& iq = m_.input_quant();
    const TensorQuant& oq = m_.output_quant();
    std::ostringstream h;
    h << "/* " << title() << "\n"
      << " *\n"
      << " * The int8 model's API. Quantise an input as q = round(x / SCALE) + ZERO_POINT, write\n"
      << " * it (HWC, TINYNAS_INPUT_BYTES) to tinynas_input(), call tinynas_invoke(), read\n"
      << " * tinynas_output(); real = SCALE * (q - ZERO_POINT). The input lives inside the arena\n"
      << " * and is overwritten by the run. No malloc, no global state besides tinynas_arena; the\n"
      << " * firmware may define TINYNAS_ARENA_ATTRIBUTES (e.g. a linker section) when compiling\n"
      << " * model.c. Not reentrant: one inference at a time.\n"
      << " */\n"
      << "#ifndef TINYNAS_MODEL_H\n#define TINYNAS_MODEL_H\n\n"
      << "#include <stdint.h>\n\n"
      << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
      << "#define TINYNAS_ARENA_BYTES " << plan_.arena_bytes << "\n\n"
      << "#define TINYNAS_INPUT_H " << in.h << "\n"
      << "#define TINYNAS_INPUT_W " << in.w << "\n"
      << "#define TINYNAS_INPUT_C " << in.c << "\n"
      << "#define TINYNAS_INPUT_BYTES " << in.elements() << "\n"
      << "#define TINYNAS_INPUT_SCALE " << float_literal(iq.scale) << "\n"
      << "#define TINYNAS_INPUT_ZERO_POINT " << iq.zero_point << "\n\n"
      << input_normalization_text() << "#define TINYNAS_OUTPUT_H " << out.h << "\n"
      << "#define TINYNAS_OUTPUT_W " << out.w << "\n"
      << "#define TINYNAS_OUTPUT_C " << out.c << "\n"
      << "#define TINYNAS_OUTPUT_BYTES " << out.elements() << "\n"
      << "#define TINYNAS_OUTPUT_SCALE " << float_literal(oq.scale) << "\n"
      << "#define TINYNAS_OUTPUT_ZERO_POINT " << oq.zero_point << "\n\n"
      << "extern int8_t tinynas_arena[TINYNAS_ARENA_BYTES];\n\n"
      << "/* Where to write the int8 input (TINYNAS_INPUT_BYTES, HWC). */\n"
      << "int8_t *tinynas_input(void);\n"
      << "/* The int8 output of the last tinynas_invoke() (TINYNAS_OUTPUT_BYTES). */\n"
      << "const int8_t *tinynas_output(void);\n"
      << "/* Runs the network on the input; returns 0. */\n"
      << "int tinynas_invoke(void);\n\n"
      << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* TINYNAS_MODEL_H */\n";
    return h.str();
  }

  // The float input's normalisation, when the model has one: how to go from 8-bit pixels to x.
  std::string input_normalization_text() const {
    if (!m_.input_normalization) return "";
    const auto list = [](const std::vector<float>& v) {
      std::string s = "{";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + float_literal(v[i]);
      return s + "}";
    };
    std::ostringstream h;
    h << "/* The float input x is made from 8-bit pixels (HWC, channel c) as\n"
      << " *   x = (pixel / 255.0f - TINYNAS_INPUT_MEAN[c]) / TINYNAS_INPUT_STD[c]\n"
      << " * (the normalisation the network was trained with), resized to TINYNAS_INPUT_H x\n"
      << " * TINYNAS_INPUT_W (bilinear) when the image has another size, then quantised as\n"
      << " * above. Both are initialisers, e.g.\n"
      << " *   static const float mean[TINYNAS_INPUT_C] = TINYNAS_INPUT_MEAN; */\n"
      << "#define TINYNAS_INPUT_MEAN " << list(m_.input_normalization->mean) << "\n"
      << "#define TINYNAS_INPUT_STD " << list(m_.input_normalization->std) << "\n\n";
    return h.str();
  }

  std::string weights_h_text() const {
    std::ostringstream h;
    h << "/* " << title() << "\n"
      << " *\n"
      << " * Every layer's constant parameters (defined in weights.c, kept in Flash).\n"
      << " */\n"
      << "#ifndef TINYNAS_WEIGHTS_H\n#define TINYNAS_WEIGHTS_H\n\n"
      << "#include \"tn_common.h\"\n";
    if (kernels_.count("tn_add.h")) h << "#include \"tn_add.h\"\n";
    h << "\n";
    for (size_t i = 0; i < g_.ops().size(); ++i) {
      const Op& op = g_.ops()[i];
      if (memory::has_weights(op))
        h << "extern const tn_layer " << symbol_[i] << ";\n";
      else if (op.type == OpType::kAdd)
        h << "extern const tn_add_params " << symbol_[i] << ";\n";
    }
    h << "\n#endif /* TINYNAS_WEIGHTS_H */\n";
    return h.str();
  }

  std::string weights_c_text() {
    std::ostringstream out;
    out << "/* " << title() << "\n"
        << " *\n"
        << " * Layer parameters per the TFLite int8 spec: int8 weights (symmetric, per output\n"
        << " * channel), int32 biases, Q31 requantisation multipliers and shifts (> 0: left),\n"
        << " * input/output offsets and the output clamp. Generated by tinynas.\n"
        << " */\n"
        << "#include \"weights.h\"\n";
    weight_bytes_ = 0;
    for (size_t i = 0; i < g_.ops().size(); ++i) {
      const Op& op = g_.ops()[i];
      const QuantLayer& q = m_.layers[i];
      const std::string& sym = symbol_[i];
      if (memory::has_weights(op)) {
        const TensorQuant& iq = m_.tensors[static_cast<size_t>(op.input)];
        const TensorQuant& oq = m_.tensors[static_cast<size_t>(op.output)];
        out << "\n/* " << describe(g_, op) << "\n"
            << " * input scale " << iq.scale << " zero point " << iq.zero_point << ", output scale "
            << oq.scale << " zero point " << oq.zero_point << " */\n";
        write_array(out, "int8_t", sym + "_weights", q.weights);
        write_array(out, "int32_t", sym + "_bias", q.bias);
        write_array(out, "int32_t", sym + "_multiplier", q.multiplier);
        write_array(out, "int32_t", sym + "_shift", q.shift);
        out << "const tn_layer " << sym << " = {" << sym << "_weights, " << sym << "_bias, " << sym
            << "_multiplier, " << sym << "_shift,\n    " << q.input_offset << ", "
            << q.output_offset << ", " << q.act_min << ", " << q.act_max
            << "}; /* input offset, output offset, clamp */\n";
        weight_bytes_ += static_cast<int64_t>(q.weights.size() + 12 * q.bias.size());
      } else if (op.type == OpType::kAdd) {
        const AddParams& a = q.add;
        out << "\n/* " << describe(g_, op) << " (TFLite int8 ADD) */\n"
            << "const tn_add_params " << sym << " = {\n"
            << "    " << a.left_shift << ", /* left shift */\n"
            << "    " << a.input1_offset << ", " << a.input2_offset << ", " << a.output_offset
            << ", /* input 1, input 2, output offsets */\n"
            << "    " << int_literal(a.input1_multiplier) << ", " << a.input1_shift
            << ", /* input 1 multiplier, shift */\n"
            << "    " << int_literal(a.input2_multiplier) << ", " << a.input2_shift
            << ", /* input 2 multiplier, shift */\n"
            << "    " << int_literal(a.output_multiplier) << ", " << a.output_shift
            << ", /* output multiplier, shift */\n"
            << "    " << q.act_min << ", " << q.act_max << "}; /* clamp */\n";
      }
    }
    return out.str();
  }

  std::vector<std::string> sources() const {
    std::vector<std::string> s = {"model.c", "weights.c"};
    for (const std::string& k : kernels_)
      if (k.compare(k.size() - 2, 2, ".c") == 0) s.push_back(k);
    return s;
  }

  std::string cmake_text() const {
    std::ostringstream c;
    c << "# " << title() << "\n"
      << "# The int8 model as a static C99 library. In a firmware project:\n"
      << "#   add_subdirectory(model)\n"
      << "#   target_link_libraries(app PRIVATE tinynas_model)\n"
      << "# Define TINYNAS_ARENA_ATTRIBUTES (e.g. to place the arena in a section) with\n"
      << "#   target_compile_definitions(tinynas_model PRIVATE "
         "\"TINYNAS_ARENA_ATTRIBUTES=...\")\n"
      << "cmake_minimum_required(VERSION 3.13)\n"
      << "project(tinynas_model C)\n\n"
      << "add_library(tinynas_model STATIC";
    for (const std::string& s : sources()) c << "\n  " << s;
    c << "\n)\n"
      << "target_include_directories(tinynas_model PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})\n"
      << "set_target_properties(tinynas_model PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON\n"
      << "                      C_EXTENSIONS OFF)\n"
      << "if(CMAKE_C_COMPILER_ID MATCHES \"GNU|Clang\")\n"
      << "  target_compile_options(tinynas_model PRIVATE -Wall -Wextra)\n"
      << "endif()\n";
    return c.str();
  }

  std::string makefile_text() const {
    std::ostringstream mk;
    mk << "# " << title() << "\n"
       << "# Builds libtinynas_model.a. For a Cortex-M4:\n"
       << "#   make CC=arm-none-eabi-gcc AR=arm-none-eabi-ar \\\n"
       << "#        CFLAGS=\"-O2 -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16\"\n"
       << "CFLAGS ?= -O2\n"
       << "SRCS =";
    for (const std::string& s : sources()) mk << " " << s;
    mk << "\nOBJS = $(SRCS:.c=.o)\n\n"
       << "libtinynas_model.a: $(OBJS)\n"
       << "\t$(AR) rcs $@ $(OBJS)\n\n"
       << "%.o: %.c $(wildcard *.h)\n"
       << "\t$(CC) -std=c99 -Wall -Wextra $(CFLAGS) -c $< -o $@\n\n"
       << "clean:\n"
       << "\trm -f $(OBJS) libtinynas_model.a\n\n"
       << ".PHONY: clean\n";
    return mk.str();
  }

  std::string title() const {
    return options_.title.empty() ? "tinynas int8 model" : "tinynas int8 model: " + options_.title;
  }

  const QuantModel& m_;
  const Graph& g_;
  const MemoryPlan& plan_;
  const CProjectOptions& options_;
  std::vector<int> scratch_of_op_;
  std::vector<std::string> symbol_;
  std::set<std::string> kernels_;
  int64_t weight_bytes_ = 0;
};

}  // namespace

CProject generate_c_project(const QuantModel& model, const MemoryPlan& plan,
                            const CProjectOptions& options) {
  return Generator(model, plan, options).run();
}

CProjectInfo write_c_project(const QuantModel& model, const MemoryPlan& plan,
                             const std::string& dir, const CProjectOptions& options) {
  CProject project = generate_c_project(model, plan, options);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw std::runtime_error("cannot create output folder '" + dir + "': " + ec.message());
  for (const auto& [name, text] : project.files) {
    try {
      util::write_file_atomically(dir + "/" + name, text);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot write '" + dir + "/" + name + "': " + e.what());
    }
  }
  return project.info;
}

}  // namespace tinynas::engine
