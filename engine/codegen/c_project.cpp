#include "engine/codegen/c_project.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "engine/codegen/emit_context.h"
#include "engine/codegen/kernel_sources.h"
#include "engine/codegen/project_manifest.h"
#include "engine/codegen/schedule_json.h"
#include "engine/ops/engine_op.h"
#include "memory_model/cost.h"
#include "memory_model/float_weights.h"
#include "memory_model/op_def.h"
#include "memory_model/scheduler.h"
#include "util/json_reader.h"

namespace tinynas::engine {

using memory::Buffer;
using memory::BufferKind;
using memory::Graph;
using memory::MemoryPlan;
using memory::Op;
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

std::string shape_text(const Shape& s) {
  return std::to_string(s.h) + "x" + std::to_string(s.w) + "x" + std::to_string(s.c);
}

// "b3.dw: depthwise 3x3/2, 24x24x48 -> 12x12x48, ReLU6".
std::string describe(const Graph& g, const Op& op) {
  return op.name() + ": " + engine_op(op.type).describe(op) + ", " +
         shape_text(g.tensor(op.input).shape) + " -> " + shape_text(g.tensor(op.output).shape) +
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
    add("model.json", project_manifest_to_json(manifest()).dump(1) + "\n");
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

  std::string model_c_text() {
    std::ostringstream calls;
    std::map<std::string, std::set<std::string>> definitions;
    kernels_.insert("tn_common.h");
    for (size_t i = 0; i < g_.ops().size(); ++i) {
      const Op& op = g_.ops()[i];
      EmitContext ctx(g_, op, m_.layers[i], symbol_[i]);
      ctx.input = EmitContext::arena(offset(op.input));
      if (op.input2 >= 0) ctx.input2 = EmitContext::arena(offset(op.input2));
      ctx.output = EmitContext::arena(offset(op.output));
      ctx.in_place = buffer(op.input) == buffer(op.output);
      if (ctx.in_place && !memory::op_def(op.type).in_place)
        throw std::logic_error("plan puts the output of " + op.name() + " over its input");
      if (scratch_of_op_[i] >= 0) {
        const Buffer& s = plan_.buffers[static_cast<size_t>(scratch_of_op_[i])];
        ctx.scratch_offset = s.offset;
        ctx.scratch_size = s.bytes;
      }
      engine_op(op.type).emit_call(ctx);
      calls << "\n  /* op " << i << " " << describe(g_, op) << " */\n"
            << ctx.call.str() << "  TINYNAS_LAYER_DONE(" << i << ");\n";
      for (const std::string& k : ctx.kernels) {
        kernels_.insert(k + ".h");
        kernels_.insert(k + ".c");
        // The ARMv7E-M version, when there is one, replaces the portable one at compile time.
        if (has_kernel_source(k + "_arm.c")) {
          kernels_.insert(k + "_arm.c");
          kernels_.insert("tn_dsp.h");
        }
      }
      for (const auto& [comment, lines] : ctx.definitions)
        definitions[comment].insert(lines.begin(), lines.end());
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
      if (k.size() > 2 && k.compare(k.size() - 2, 2, ".h") == 0 && k != "tn_common.h" &&
          k != "tn_dsp.h")  // the arm/ kernels' own header
        out << "#include \"" << k << "\"\n";
    out << "\n#ifndef TINYNAS_ARENA_ATTRIBUTES\n"
        << "#define TINYNAS_ARENA_ATTRIBUTES __attribute__((aligned(8)))\n"
        << "#endif\n\n"
        << "/* All activations and scratch buffers; the only mutable state of the model. */\n"
        << "int8_t tinynas_arena[TINYNAS_ARENA_BYTES] TINYNAS_ARENA_ATTRIBUTES;\n\n"
        << "/* The per-layer profiling hook (model.h): a call only when TINYNAS_PROFILE is\n"
        << " * defined, nothing at all otherwise, so normal builds are unchanged. */\n"
        << "#ifdef TINYNAS_PROFILE\n"
        << "#define TINYNAS_LAYER_DONE(layer) tinynas_layer_done(layer)\n"
        << "#else\n"
        << "#define TINYNAS_LAYER_DONE(layer) ((void)0)\n"
        << "#endif\n";
    for (const auto& [comment, lines] : definitions) {
      out << "\n/* " << comment << " */\n";
      for (const std::string& line : lines) out << line << "\n";
    }
    out << "\nint8_t *tinynas_input(void) { return " << EmitContext::arena(offset(g_.input()))
        << "; }\n\n"
        << "const int8_t *tinynas_output(void) { return " << EmitContext::arena(offset(g_.output()))
        << "; }\n\n"
        << "int tinynas_invoke(void) {" << calls.str() << "  return 0;\n}\n";
    return out.str();
  }

  // The numbers of model.h that other programs read, as JSON (project_manifest.h).
  ProjectManifest manifest() const {
    ProjectManifest m;
    m.input_shape = g_.tensor(g_.input()).shape;
    m.output_shape = g_.tensor(g_.output()).shape;
    m.input_bytes = g_.tensor(g_.input()).bytes();
    m.output_bytes = g_.tensor(g_.output()).bytes();
    m.arena_bytes = plan_.arena_bytes;
    m.layers = static_cast<int64_t>(g_.ops().size());
    return m;
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
      << "/* Layers tinynas_invoke() runs, in order (the ops of quant_model.json and "
         "schedule.json). */\n"
      << "#define TINYNAS_LAYERS " << g_.ops().size() << "\n\n"
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
      << "#ifdef TINYNAS_PROFILE\n"
      << "/* Per-layer profiling: when model.c is compiled with TINYNAS_PROFILE defined,\n"
      << " * tinynas_invoke() calls this after layer 0 .. TINYNAS_LAYERS - 1 finishes, in order.\n"
      << " * The firmware defines it (e.g. to read a cycle counter); the tinynas bench harness\n"
      << " * does (`tinynas verify --profile`). Without TINYNAS_PROFILE no call is compiled. */\n"
      << "void tinynas_layer_done(int layer);\n"
      << "#endif\n\n"
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
    std::set<std::string> headers;  // the kernel headers that define the parameter types
    for (const Op& op : g_.ops()) headers.insert(engine_op(op.type).params_header());
    for (const std::string& header : headers)
      if (!header.empty() && header != "tn_common.h") h << "#include \"" << header << "\"\n";
    h << "\n";
    for (size_t i = 0; i < g_.ops().size(); ++i) {
      const std::string type = engine_op(g_.ops()[i].type).params_type();
      if (!type.empty()) h << "extern const " << type << " " << symbol_[i] << ";\n";
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
      const EngineOp& impl = engine_op(op.type);
      if (impl.params_type().empty()) continue;
      const QuantLayer& q = m_.layers[i];
      const std::string description = describe(g_, op);
      out << impl.params_definition(ParamsContext{g_, m_, op, q, symbol_[i], description});
      if (memory::has_weights(op))
        weight_bytes_ += static_cast<int64_t>(q.weights.size()) +
                         static_cast<int64_t>(q.bias.size()) *
                             (memory::kBiasBytes + memory::kRequantBytesPerChannel);
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
