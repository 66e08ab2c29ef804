#include "engine/codegen/schedule_json.h"

#include <stdexcept>

#include "util/json_reader.h"

namespace tinynas::engine {

using memory::Buffer;
using memory::BufferKind;
using memory::MemoryPlan;

nlohmann::json schedule_to_json(const memory::Graph& graph, const MemoryPlan& plan) {
  const auto op_name = [&](int op) { return graph.op(op).name(); };
  nlohmann::json buffers = nlohmann::json::array();
  for (size_t b = 0; b < plan.buffers.size(); ++b) {
    const Buffer& buf = plan.buffers[b];
    nlohmann::json tensors = nlohmann::json::array();
    for (int t : buf.tensors) {
      const memory::Tensor& tensor = graph.tensor(t);
      tensors.push_back({{"id", t},
                         {"shape", {tensor.shape.h, tensor.shape.w, tensor.shape.c}},
                         {"bytes", tensor.bytes()},
                         {"producer", tensor.producer < 0 ? "input" : op_name(tensor.producer)}});
    }
    nlohmann::json j = {{"index", b},
                        {"kind", buf.kind == BufferKind::kScratch ? "scratch" : "activation"},
                        {"offset", buf.offset},
                        {"bytes", buf.bytes},
                        {"end", buf.offset + buf.bytes},
                        {"first_op", buf.first_op},
                        {"last_op", buf.last_op},
                        {"first_op_name", op_name(buf.first_op)},
                        {"last_op_name", op_name(buf.last_op)},
                        {"tensors", tensors}};
    if (buf.kind == BufferKind::kScratch) j["owner_op"] = buf.owner_op;
    buffers.push_back(j);
  }
  nlohmann::json ops = nlohmann::json::array();
  for (size_t i = 0; i < graph.ops().size(); ++i) {
    const memory::Op& op = graph.ops()[i];
    nlohmann::json inputs = {op.input};
    if (op.input2 >= 0) inputs.push_back(op.input2);
    ops.push_back({{"index", i},
                   {"name", op.name()},
                   {"type", to_string(op.type)},
                   {"inputs", inputs},
                   {"output", op.output}});
  }
  return {{"arena_bytes", plan.arena_bytes},
          {"lower_bound", plan.lower_bound},
          {"strategy", plan.strategy},
          {"input_tensor", graph.input()},
          {"output_tensor", graph.output()},
          {"buffers", buffers},
          {"ops", ops}};
}

MemoryPlan plan_from_schedule_json(const nlohmann::json& json, const std::string& context) {
  util::ObjectReader r(json, context);
  MemoryPlan plan;
  plan.arena_bytes = r.get<int64_t>("arena_bytes");
  plan.lower_bound = r.get<int64_t>("lower_bound");
  plan.strategy = r.get<std::string>("strategy");
  (void)r.at("input_tensor");
  (void)r.at("output_tensor");
  (void)r.at("ops");
  const nlohmann::json& buffers = r.at("buffers");
  r.finish();
  if (!buffers.is_array()) r.fail("buffers", "must be an array");
  for (size_t b = 0; b < buffers.size(); ++b) {
    util::ObjectReader br(buffers[b], context + " buffers[" + std::to_string(b) + "]");
    Buffer buf;
    (void)br.at("index");
    const std::string kind = br.get<std::string>("kind");
    if (kind != "scratch" && kind != "activation")
      br.fail("kind", "must be \"activation\" or \"scratch\"");
    buf.kind = kind == "scratch" ? BufferKind::kScratch : BufferKind::kActivation;
    buf.offset = br.get<int64_t>("offset");
    buf.bytes = br.get<int64_t>("bytes");
    (void)br.at("end");
    buf.first_op = br.get<int>("first_op");
    buf.last_op = br.get<int>("last_op");
    (void)br.at("first_op_name");
    (void)br.at("last_op_name");
    buf.owner_op = br.optional<int>("owner_op", -1);
    for (const nlohmann::json& t : br.at("tensors")) {
      const int id = t.at("id").get<int>();
      buf.tensors.push_back(id);
      if (id < 0) br.fail("tensors", "tensor ids must be non-negative");
      if (plan.tensor_buffer.size() <= static_cast<size_t>(id))
        plan.tensor_buffer.resize(static_cast<size_t>(id) + 1, -1);
      plan.tensor_buffer[static_cast<size_t>(id)] = static_cast<int>(b);
    }
    br.finish();
    plan.buffers.push_back(std::move(buf));
  }
  return plan;
}

}  // namespace tinynas::engine
