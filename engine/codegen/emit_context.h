// What an op's code generation sees and writes (EngineOp::emit_call, params_definition): the
// op, its quantised layer, where the plan put its tensors and scratch in the arena, and the
// kernel files and model-level definitions it needs.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/quant_model.h"
#include "memory_model/graph.h"

namespace tinynas::engine {

struct EmitContext {
  EmitContext(const memory::Graph& g, const memory::Op& o, const QuantLayer& layer,
              const std::string& sym)
      : graph(g), op(o), q(layer), symbol(sym) {}

  const memory::Graph& graph;
  const memory::Op& op;
  const QuantLayer& q;
  const std::string& symbol;  // the op's parameters in weights.c, e.g. "tn_b3_dw"
  std::string input;          // C expressions of the operands' and output's arena addresses
  std::string input2;
  std::string output;
  bool in_place = false;        // the plan put the output over the input
  int64_t scratch_offset = -1;  // the op's scratch buffer, when the plan has one
  int64_t scratch_size = 0;

  std::ostringstream call;           // appended to tinynas_invoke()
  std::vector<std::string> kernels;  // kernel files by base name ("tn_conv": .h and .c)
  // Model-level definitions (e.g. kernel specialisations), grouped under a comment; each line is
  // written once however many ops ask for it.
  std::map<std::string, std::set<std::string>> definitions;

  // "in_h, in_w, in_c, out_h, out_w, out_c" of the op, as most kernels take them.
  std::string io_dims() const;
  // "tinynas_arena + <offset>".
  static std::string arena(int64_t offset);
  // The arena address of the op's scratch buffer; throws std::logic_error when the plan gave the
  // op none of at least `needed` bytes (the plan and the kernel disagree: a bug, not bad input).
  std::string scratch(int64_t needed) const;
  void use_kernel(const std::string& base) { kernels.push_back(base); }
  void define(const std::string& comment, const std::string& line) {
    definitions[comment].insert(line);
  }
};

// v as a C integer literal; INT32_MIN is spelled as an expression (-2147483648 is not a literal).
std::string c_int_literal(int64_t v);

struct ParamsContext {
  const memory::Graph& graph;
  const QuantModel& model;
  const memory::Op& op;
  const QuantLayer& q;
  const std::string& symbol;
  const std::string& description;  // the op's comment line: name, kind, shapes
};

}  // namespace tinynas::engine
