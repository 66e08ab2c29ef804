// schedule.json of a generated project: the memory plan in words a reader (and the independent
// plan checker) can follow: the arena size and bound, every buffer with its kind, offset, size,
// first/last op (index and name) and the tensors it holds, and every op with its operands.
//
//   nlohmann::json j = schedule_to_json(graph, plan);
//   MemoryPlan back = plan_from_schedule_json(j, "model/schedule.json");   // for checks
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "memory_model/graph.h"
#include "memory_model/memory_plan.h"

namespace tinynas::engine {

nlohmann::json schedule_to_json(const memory::Graph& graph, const memory::MemoryPlan& plan);

// Throws std::invalid_argument naming the field when the JSON is not a schedule.
memory::MemoryPlan plan_from_schedule_json(const nlohmann::json& json, const std::string& context);

}  // namespace tinynas::engine
