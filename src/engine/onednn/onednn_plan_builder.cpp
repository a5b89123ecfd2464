#include "engine/onednn/onednn_plan_builder.h"

#include <cstring>
#include <set>

#include "core/error.h"
#include "engine/onednn/onednn_layout.h"
#include "engine/onednn/onednn_loops.h"
#include "engine/onednn/onednn_threads.h"

namespace splitpoint::onednn {

using dnnl::memory;

namespace {

// The caller's type for a segment input or output, or an Error naming it.
memory::data_type external_type(const TensorInfo& t, const char* what) {
  if (t.dtype != DType::f32 && !is_8bit(t.dtype))
    throw Error("backend 'onednn': segment " + std::string(what) + " '" + t.name + "' has dtype " +
                std::string(dtype_name(t.dtype)) + "; only f32, u8 and i8 are supported");
  return to_dnnl(t.dtype);
}

}  // namespace

PlanBuilder::PlanBuilder(const Graph& segment, dnnl::engine engine, int threads)
    : segment_(segment), engine_(std::move(engine)), stream_(engine_), threads_(threads) {
  for (const TensorInfo& t : segment.tensors()) values_.push_back(Value{t, {}});
  for (size_t slot = 0; slot < segment.inputs().size(); ++slot) {
    const TensorId id = segment.inputs()[slot];
    const TensorInfo& t = segment.tensor(id);
    const memory::desc desc = plain_desc(t.shape, external_type(t, "input"));
    memory bound = make_memory(desc, add_storage(Storage::Kind::input, static_cast<int>(slot), desc.get_size()));
    if (t.dtype != DType::i8) {
      value(id).layouts.push_back(bound);
      continue;
    }
    memory stored = define(id, plain(id));
    const int64_t count = t.shape.elements();
    add_loop(t.name,
             [bound, stored, count] { flip_sign_bits(bound.get_data_handle(), stored.get_data_handle(), count); },
             {bound, stored});
  }
}

PlanBuilder::Value& PlanBuilder::value(ValueId id) { return values_.at(static_cast<size_t>(id)); }

const TensorInfo& PlanBuilder::spec(ValueId id) const { return values_.at(static_cast<size_t>(id)).spec; }

memory::data_type PlanBuilder::storage_type(ValueId id) const {
  const DType dtype = spec(id).dtype;
  return is_8bit(dtype) ? memory::data_type::u8 : to_dnnl(dtype);
}

memory::desc PlanBuilder::plain(ValueId id) const { return plain_desc(spec(id).shape, storage_type(id)); }

ValueId PlanBuilder::add_temporary(const std::string& name, Shape shape, DType dtype, QuantParams quant) {
  TensorInfo t;
  t.name = name;
  t.shape = std::move(shape);
  t.dtype = dtype;
  t.quant = std::move(quant);
  values_.push_back(Value{std::move(t), {}});
  return static_cast<ValueId>(values_.size() - 1);
}

ValueId PlanBuilder::add_constant(const std::string& name, Tensor data) {
  const ValueId id = add_temporary(name, data.shape(), data.dtype(), data.quant());
  value(id).spec.constant = true;
  value(id).spec.data = std::move(data);
  return id;
}

ValueId PlanBuilder::add_reshaped(ValueId id, const Shape& shape) {
  memory source = read(id, plain(id));
  TensorInfo t = spec(id);
  t.name += "/reshaped";
  t.shape = shape;
  t.constant = false;
  t.data = Tensor();
  values_.push_back(Value{std::move(t), {}});
  const auto reshaped = static_cast<ValueId>(values_.size() - 1);
  define_view(reshaped, source, plain(reshaped));
  return reshaped;
}

int PlanBuilder::add_storage(Storage::Kind kind, int slot, size_t bytes) {
  Storage s;
  s.kind = kind;
  s.slot = slot;
  s.bytes = bytes;
  storages_.push_back(std::move(s));
  return static_cast<int>(storages_.size() - 1);
}

memory PlanBuilder::make_memory(const memory::desc& desc, int storage) {
  memory m(desc, engine_, DNNL_MEMORY_NONE);
  storages_[static_cast<size_t>(storage)].memories.push_back(m);
  storage_by_memory_[m.get()] = storage;
  return m;
}

int PlanBuilder::storage_of(const memory& m) const {
  auto it = storage_by_memory_.find(m.get());
  return it == storage_by_memory_.end() ? -1 : it->second;
}

// A constant's values in its plain layout and storage type (8-bit i8
// constants flipped to u8), in memory of its own.
void PlanBuilder::materialize_constant(ValueId id) {
  const TensorInfo& t = spec(id);
  if (!t.constant) throw Error("backend 'onednn': internal error: '" + t.name + "' is read before it is written");
  if (t.dtype == DType::f16)
    throw Error("backend 'onednn': constant '" + t.name + "' has dtype f16, which is not supported");
  memory m(plain(id), engine_);
  if (t.shape.elements() > 0) {
    std::memcpy(m.get_data_handle(), t.data.data(), t.data.bytes());
    if (t.dtype == DType::i8) flip_sign_bits(m.get_data_handle(), m.get_data_handle(), t.shape.elements());
  }
  value(id).layouts.push_back(m);
}

memory PlanBuilder::read(ValueId id, const memory::desc& desc) {
  if (value(id).layouts.empty()) materialize_constant(id);
  Value& v = value(id);
  for (const memory& m : v.layouts)
    if (m.get_desc() == desc) return m;
  const memory source = v.layouts.front();
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (storage_of(source) < 0) {  // a constant: reorder once, now
    memory m = pack(source.get_desc(), source.get_data_handle(), desc);
    v.layouts.push_back(m);
    return m;
  }
  dnnl::reorder::primitive_desc pd(engine_, source.get_desc(), engine_, desc, attr);
  memory m = make_memory(desc, add_storage(Storage::Kind::internal, -1, desc.get_size()));
  value(id).layouts.push_back(m);
  add_primitive(spec(id).name, dnnl::reorder(pd), {{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, m}}, pd.scratchpad_desc());
  steps_.back().layout_change = true;
  return m;
}

memory PlanBuilder::define(ValueId id, const memory::desc& desc) {
  Value& v = value(id);
  if (!v.layouts.empty()) throw Error("backend 'onednn': internal error: '" + v.spec.name + "' is written twice");
  memory m = make_memory(desc, add_storage(Storage::Kind::internal, -1, desc.get_size()));
  v.layouts.push_back(m);
  return m;
}

void PlanBuilder::define_view(ValueId id, const memory& source, const memory::desc& desc) {
  Value& v = value(id);
  if (!v.layouts.empty()) throw Error("backend 'onednn': internal error: '" + v.spec.name + "' is written twice");
  const int storage = storage_of(source);
  if (storage < 0)
    v.layouts.push_back(memory(desc, engine_, source.get_data_handle()));
  else
    v.layouts.push_back(make_memory(desc, storage));
}

memory PlanBuilder::pack_or_share(const Tensor& data, const memory::desc& data_desc, const memory::desc& desc) {
  if (data_desc != desc) return pack(data_desc, data.data(), desc);
  shared_constants_.push_back(data);
  return memory(desc, engine_, const_cast<std::byte*>(data.data()));
}

memory PlanBuilder::pack(const memory::desc& data_desc, const void* data, const memory::desc& desc) {
  memory source(data_desc, engine_, const_cast<void*>(data));
  memory packed(desc, engine_);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::reorder::primitive_desc pd(engine_, data_desc, engine_, desc, attr);
  std::unordered_map<int, memory> arguments{{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, packed}};
  if (pd.scratchpad_desc().get_size() > 0) arguments[DNNL_ARG_SCRATCHPAD] = memory(pd.scratchpad_desc(), engine_);
  // One thread: packing is a copy (exact whatever the thread count), and a
  // second thread waiting at each small reorder's barrier costs more than it
  // saves when the machine is shared.
  ThreadCountScope one_thread(1);
  dnnl::reorder(pd).execute(stream_, arguments);
  stream_.wait();
  return packed;
}

void PlanBuilder::add_primitive(const std::string& node, const dnnl::primitive& primitive,
                                std::unordered_map<int, memory> arguments, const memory::desc& scratchpad) {
  Step step;
  step.node = node;
  step.primitive = primitive;
  if (scratchpad.get_size() > 0) {
    if (scratchpad_ < 0) scratchpad_ = add_storage(Storage::Kind::scratchpad, -1, 0);
    Storage& s = storages_[static_cast<size_t>(scratchpad_)];
    s.bytes = std::max(s.bytes, scratchpad.get_size());
    arguments[DNNL_ARG_SCRATCHPAD] = make_memory(scratchpad, scratchpad_);
  }
  for (const auto& [argument, m] : arguments)
    if (int s = storage_of(m); s >= 0) step.storages.push_back(s);
  step.arguments = std::move(arguments);
  steps_.push_back(std::move(step));
}

void PlanBuilder::add_loop(const std::string& node, std::function<void()> loop, const std::vector<memory>& memories) {
  Step step;
  step.node = node;
  step.loop = std::move(loop);
  for (const memory& m : memories)
    if (int s = storage_of(m); s >= 0) step.storages.push_back(s);
  steps_.push_back(std::move(step));
}

Plan PlanBuilder::finish() {
  std::set<int> bound;  // storages bound to an output
  for (size_t slot = 0; slot < segment_.outputs().size(); ++slot) {
    const TensorId id = segment_.outputs()[slot];
    const TensorInfo& t = spec(id);
    const memory::desc desc = plain_desc(t.shape, external_type(t, "output"));
    if (value(id).layouts.empty()) materialize_constant(id);
    const memory held = value(id).layouts.front();
    const int storage = storage_of(held);
    // The producer writes straight into the caller's tensor when it writes
    // exactly the caller's bytes into storage of its own.
    if (t.dtype != DType::i8 && storage >= 0 && !bound.contains(storage) &&
        storages_[static_cast<size_t>(storage)].kind == Storage::Kind::internal &&
        storages_[static_cast<size_t>(storage)].bytes == desc.get_size() && held.get_desc() == desc) {
      storages_[static_cast<size_t>(storage)].kind = Storage::Kind::output;
      storages_[static_cast<size_t>(storage)].slot = static_cast<int>(slot);
      bound.insert(storage);
      continue;
    }
    const int out_storage = add_storage(Storage::Kind::output, static_cast<int>(slot), desc.get_size());
    memory out = make_memory(desc, out_storage);
    if (t.dtype == DType::i8) {
      memory stored = read(id, plain(id));
      const int64_t count = t.shape.elements();
      add_loop(t.name, [stored, out, count] { flip_sign_bits(stored.get_data_handle(), out.get_data_handle(), count); },
               {stored, out});
    } else {
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::reorder::primitive_desc pd(engine_, held.get_desc(), engine_, desc, attr);
      add_primitive(t.name, dnnl::reorder(pd), {{DNNL_ARG_FROM, held}, {DNNL_ARG_TO, out}}, pd.scratchpad_desc());
    }
  }
  Plan plan(engine_, threads_, std::move(storages_), std::move(steps_));
  plan.keep_alive(std::move(shared_constants_));
  return plan;
}

}  // namespace splitpoint::onednn
