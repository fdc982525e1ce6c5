// ELBO's addition to tfjs-node's binding: turn a recorded list of TensorFlow ops into one TensorFlow
// function (a graph built through the C API, converted with TF_GraphToFunction) and register it in the
// binding's own eager context. The binding's existing `executeOp(name, [], inputIds, n)` then runs it
// like any op: the tensors stay the binding's tensor handles, nothing is copied.
//
// defineFunction(name, spec, xla) where spec is
//   { inputs: [{ dtype, shape }], nodes: [{ op, inputs, attrs, numOutputs, value? }], outputs: [ref] }
// Tensor references are integers: the function's inputs are 0..inputs.length-1, then each node's
// outputs in order. A node input is a reference or an array of references (a list argument such as
// AddN's or Pack's). `attrs` has the binding's own attribute form ({ name, type, value }); a `Const`
// node carries `value: { dtype, shape, data }` with data a typed array.
// removeFunction(name) drops a registered function.
// callFunction(name, inputIds, numOutputs) runs a registered function without waiting for it: the
// call is queued on an asynchronous executor of the same context and returns the output tensor ids
// at once (their shapes and dtypes are the caller's: it recorded them), so the caller's JavaScript
// goes on while TensorFlow computes. Reading an output (dataSync) or an eager op that takes one as
// input waits for it; at most two calls are in flight.

#include <node_api.h>

#include <cstring>
#include <string>
#include <vector>

#include "tensorflow/c/c_api.h"
#include "tensorflow/c/eager/c_api.h"
#include "tensorflow/c/eager/c_api_experimental.h"
#include "tfjs_backend.h"

namespace elbo {

namespace {

// The first failure of a call (the binding is built without C++ exceptions): helpers record it and
// return a neutral value; callers test `Failed()` at each step that could not go on.
std::string failure;

void Fail(const std::string &message) {
  if (failure.empty()) failure = message;
}

bool Failed() { return !failure.empty(); }

void Check(napi_env env, napi_status s, const char *what) {
  if (s != napi_ok) Fail(std::string("N-API call failed: ") + what);
}

void CheckTF(TF_Status *status, const std::string &what) {
  if (TF_GetCode(status) != TF_OK) Fail(what + ": " + TF_Message(status));
}

napi_value Get(napi_env env, napi_value obj, const char *key) {
  napi_value v = nullptr;
  Check(env, napi_get_named_property(env, obj, key, &v), key);
  return v;
}

bool Has(napi_env env, napi_value obj, const char *key) {
  bool has = false;
  Check(env, napi_has_named_property(env, obj, key, &has), key);
  if (!has) return false;
  napi_valuetype t = napi_undefined;
  Check(env, napi_typeof(env, Get(env, obj, key), &t), key);
  return t != napi_undefined && t != napi_null;
}

uint32_t Length(napi_env env, napi_value arr) {
  uint32_t n = 0;
  Check(env, napi_get_array_length(env, arr, &n), "array length");
  return n;
}

napi_value At(napi_env env, napi_value arr, uint32_t i) {
  napi_value v = nullptr;
  Check(env, napi_get_element(env, arr, i, &v), "array element");
  return v;
}

bool IsArray(napi_env env, napi_value v) {
  bool is = false;
  Check(env, napi_is_array(env, v, &is), "is array");
  return is;
}

int64_t Int(napi_env env, napi_value v) {
  int64_t out = 0;
  Check(env, napi_get_value_int64(env, v, &out), "integer");
  return out;
}

double Num(napi_env env, napi_value v) {
  double out = 0;
  Check(env, napi_get_value_double(env, v, &out), "number");
  return out;
}

bool Bool(napi_env env, napi_value v) {
  bool out = false;
  Check(env, napi_get_value_bool(env, v, &out), "boolean");
  return out;
}

std::string Str(napi_env env, napi_value v) {
  size_t len = 0;
  Check(env, napi_get_value_string_utf8(env, v, nullptr, 0, &len), "string");
  std::string s(len, '\0');
  Check(env, napi_get_value_string_utf8(env, v, &s[0], len + 1, &len), "string");
  return s;
}

std::vector<int64_t> Ints(napi_env env, napi_value arr) {
  std::vector<int64_t> out(Length(env, arr));
  for (uint32_t i = 0; i < out.size(); i++) out[i] = Int(env, At(env, arr, i));
  return out;
}

// The binding's attribute form, set on a graph operation (mirrors tfjs-node's AssignOpAttr).
void SetAttr(napi_env env, TF_OperationDescription *desc, napi_value attr, TF_Status *status) {
  const std::string name = Str(env, Get(env, attr, "name"));
  const int type = static_cast<int>(Int(env, Get(env, attr, "type")));
  napi_value value = Get(env, attr, "value");
  const bool list = IsArray(env, value);
  switch (type) {
    case TF_ATTR_STRING: {
      const std::string s = Str(env, value);
      TF_SetAttrString(desc, name.c_str(), s.data(), s.size());
      break;
    }
    case TF_ATTR_INT:
      if (list) {
        std::vector<int64_t> v = Ints(env, value);
        TF_SetAttrIntList(desc, name.c_str(), v.data(), static_cast<int>(v.size()));
      } else {
        TF_SetAttrInt(desc, name.c_str(), Int(env, value));
      }
      break;
    case TF_ATTR_FLOAT:
      if (list) {
        std::vector<float> v(Length(env, value));
        for (uint32_t i = 0; i < v.size(); i++) v[i] = static_cast<float>(Num(env, At(env, value, i)));
        TF_SetAttrFloatList(desc, name.c_str(), v.data(), static_cast<int>(v.size()));
      } else {
        TF_SetAttrFloat(desc, name.c_str(), static_cast<float>(Num(env, value)));
      }
      break;
    case TF_ATTR_BOOL:
      if (list) {
        std::vector<unsigned char> v(Length(env, value));
        for (uint32_t i = 0; i < v.size(); i++) v[i] = Bool(env, At(env, value, i)) ? 1 : 0;
        TF_SetAttrBoolList(desc, name.c_str(), v.data(), static_cast<int>(v.size()));
      } else {
        TF_SetAttrBool(desc, name.c_str(), Bool(env, value) ? 1 : 0);
      }
      break;
    case TF_ATTR_TYPE:
      if (list) {
        std::vector<TF_DataType> v(Length(env, value));
        for (uint32_t i = 0; i < v.size(); i++) v[i] = static_cast<TF_DataType>(Int(env, At(env, value, i)));
        TF_SetAttrTypeList(desc, name.c_str(), v.data(), static_cast<int>(v.size()));
      } else {
        TF_SetAttrType(desc, name.c_str(), static_cast<TF_DataType>(Int(env, value)));
      }
      break;
    case TF_ATTR_SHAPE: {
      std::vector<int64_t> dims = Ints(env, value);
      TF_SetAttrShape(desc, name.c_str(), dims.data(), static_cast<int>(dims.size()));
      break;
    }
    default:
      Fail("attribute " + name + ": unsupported attribute type " + std::to_string(type));
  }
  (void)status;
}

// A Const node's value: { dtype, shape, data } with data a typed array (copied into a TF_Tensor).
TF_Tensor *ConstValue(napi_env env, napi_value value) {
  const TF_DataType dtype = static_cast<TF_DataType>(Int(env, Get(env, value, "dtype")));
  std::vector<int64_t> dims = Ints(env, Get(env, value, "shape"));
  napi_value data = Get(env, value, "data");
  bool is_typed = false;
  Check(env, napi_is_typedarray(env, data, &is_typed), "const data");
  if (Failed()) return nullptr;
  if (!is_typed) {
    Fail("a Const value must be a typed array");
    return nullptr;
  }
  napi_typedarray_type ta_type;
  size_t length = 0;
  void *ptr = nullptr;
  napi_value buffer;
  size_t offset;
  Check(env, napi_get_typedarray_info(env, data, &ta_type, &length, &ptr, &buffer, &offset), "const data");
  if (Failed()) return nullptr;
  size_t width = 1;
  switch (ta_type) {
    case napi_float32_array:
    case napi_int32_array:
    case napi_uint32_array:
      width = 4;
      break;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array:
      width = 8;
      break;
    case napi_int16_array:
    case napi_uint16_array:
      width = 2;
      break;
    default:
      break;
  }
  const size_t bytes = length * width;
  TF_Tensor *t = TF_AllocateTensor(dtype, dims.data(), static_cast<int>(dims.size()), bytes);
  if (!t || TF_TensorByteSize(t) != bytes) {
    if (t) TF_DeleteTensor(t);
    Fail("Const data size (" + std::to_string(bytes) + " bytes) does not match its shape and dtype");
    return nullptr;
  }
  if (bytes) std::memcpy(TF_TensorData(t), ptr, bytes);
  return t;
}

struct GraphGuard {
  TF_Graph *graph = TF_NewGraph();
  TF_Status *status = TF_NewStatus();
  TF_Function *fn = nullptr;
  ~GraphGuard() {
    if (fn) TF_DeleteFunction(fn);
    TF_DeleteGraph(graph);
    TF_DeleteStatus(status);
  }
};

tfnodejs::TFJSBackend *Backend(napi_env env) {
  void *data = nullptr;
  Check(env, napi_get_instance_data(env, &data), "instance data");
  if (!data) Fail("the binding has no backend");
  return Failed() ? nullptr : static_cast<tfnodejs::TFJSBackend *>(data);
}

TFE_Context *Context(napi_env env) {
  tfnodejs::TFJSBackend *backend = Backend(env);
  return backend ? backend->Context() : nullptr;
}

bool Ref(napi_env env, napi_value v, const std::vector<TF_Output> &refs, const std::string &where, TF_Output *out) {
  const int64_t r = Int(env, v);
  if (Failed()) return false;
  if (r < 0 || r >= static_cast<int64_t>(refs.size())) {
    Fail(where + ": refers to tensor " + std::to_string(r) + ", of " + std::to_string(refs.size()) + " defined before it");
    return false;
  }
  *out = refs[r];
  return true;
}

void Define(napi_env env, const std::string &fname, napi_value spec, bool xla) {
  GraphGuard g;
  std::vector<TF_Output> refs;
  std::vector<TF_Output> inputs;
  napi_value in_list = Get(env, spec, "inputs");
  const uint32_t n_in = Failed() ? 0 : Length(env, in_list);
  for (uint32_t i = 0; i < n_in && !Failed(); i++) {
    napi_value in = At(env, in_list, i);
    const std::string opname = "input_" + std::to_string(i);
    const int64_t dtype = Int(env, Get(env, in, "dtype"));
    std::vector<int64_t> dims = Ints(env, Get(env, in, "shape"));
    if (Failed()) return;
    TF_OperationDescription *d = TF_NewOperation(g.graph, "Placeholder", opname.c_str());
    TF_SetAttrType(d, "dtype", static_cast<TF_DataType>(dtype));
    TF_SetAttrShape(d, "shape", dims.data(), static_cast<int>(dims.size()));
    TF_Operation *op = TF_FinishOperation(d, g.status);
    CheckTF(g.status, "input " + std::to_string(i));
    if (Failed()) return;
    refs.push_back({op, 0});
    inputs.push_back({op, 0});
  }
  napi_value nodes = Get(env, spec, "nodes");
  const uint32_t n_nodes = Failed() ? 0 : Length(env, nodes);
  for (uint32_t k = 0; k < n_nodes && !Failed(); k++) {
    napi_value node = At(env, nodes, k);
    const std::string type = Str(env, Get(env, node, "op"));
    if (Failed()) return;
    const std::string opname = "n" + std::to_string(k) + "_" + type;
    const std::string where = "op #" + std::to_string(k) + " (" + type + ")";
    // Everything is read and checked before the description is created: an unfinished description
    // cannot be abandoned.
    napi_value node_inputs = Get(env, node, "inputs");
    const uint32_t n_inputs = Failed() ? 0 : Length(env, node_inputs);
    std::vector<std::vector<TF_Output>> args;
    std::vector<bool> is_list;
    for (uint32_t i = 0; i < n_inputs && !Failed(); i++) {
      napi_value in = At(env, node_inputs, i);
      std::vector<TF_Output> arg;
      const bool list = IsArray(env, in);
      const uint32_t n = list ? Length(env, in) : 1;
      for (uint32_t j = 0; j < n && !Failed(); j++) {
        TF_Output o;
        if (Ref(env, list ? At(env, in, j) : in, refs, where, &o)) arg.push_back(o);
      }
      args.push_back(arg);
      is_list.push_back(list);
    }
    napi_value attrs = Get(env, node, "attrs");
    const uint32_t n_attrs = Failed() ? 0 : Length(env, attrs);
    const bool has_value = !Failed() && Has(env, node, "value");
    TF_Tensor *value = has_value ? ConstValue(env, Get(env, node, "value")) : nullptr;
    const int64_t n_out = Failed() ? 0 : Int(env, Get(env, node, "numOutputs"));
    if (Failed()) {
      if (value) TF_DeleteTensor(value);
      return;
    }
    TF_OperationDescription *d = TF_NewOperation(g.graph, type.c_str(), opname.c_str());
    for (size_t i = 0; i < args.size(); i++) {
      if (is_list[i])
        TF_AddInputList(d, args[i].data(), static_cast<int>(args[i].size()));
      else
        TF_AddInput(d, args[i][0]);
    }
    for (uint32_t a = 0; a < n_attrs; a++) SetAttr(env, d, At(env, attrs, a), g.status);
    if (value) {
      TF_SetAttrTensor(d, "value", value, g.status);
      TF_DeleteTensor(value);
      CheckTF(g.status, where);
    }
    TF_Operation *op = TF_FinishOperation(d, g.status);
    CheckTF(g.status, where);
    if (Failed()) return;
    if (TF_OperationNumOutputs(op) != n_out) {
      Fail(where + ": has " + std::to_string(TF_OperationNumOutputs(op)) + " outputs in graph form, " + std::to_string(n_out) + " were recorded");
      return;
    }
    for (int j = 0; j < n_out; j++) refs.push_back({op, j});
  }
  if (Failed()) return;
  napi_value out_list = Get(env, spec, "outputs");
  const uint32_t n_outputs = Failed() ? 0 : Length(env, out_list);
  std::vector<TF_Output> outputs;
  for (uint32_t i = 0; i < n_outputs && !Failed(); i++) {
    TF_Output src;
    if (!Ref(env, At(env, out_list, i), refs, "output " + std::to_string(i), &src)) return;
    // An Identity per output, so an input or a repeated tensor is a valid function output.
    const std::string opname = "output_" + std::to_string(i);
    TF_OperationDescription *d = TF_NewOperation(g.graph, "Identity", opname.c_str());
    TF_AddInput(d, src);
    TF_Operation *op = TF_FinishOperation(d, g.status);
    CheckTF(g.status, "output " + std::to_string(i));
    if (Failed()) return;
    outputs.push_back({op, 0});
  }
  if (Failed()) return;
  // Graph mode: the body is registered under its own name and called through a PartitionedCall in
  // the function the binding runs, since TensorFlow applies Grappler's optimisations to functions
  // called that way (as tf.function's calls are) and not to a function executed directly by name.
  const std::string body = xla ? fname : fname + "_body";
  g.fn = TF_GraphToFunction(g.graph, body.c_str(), 0, -1, nullptr, static_cast<int>(inputs.size()), inputs.data(), static_cast<int>(outputs.size()), outputs.data(), nullptr, nullptr,
                            "a training step recorded by ELBO", g.status);
  CheckTF(g.status, "TF_GraphToFunction");
  if (Failed()) return;
  // AttrValue { b: true } (field 5, varint 1).
  const unsigned char attr_true[] = {0x28, 0x01};
  // XLA: ask TensorFlow to compile the function. Graph: keep the body a call of its own (not inlined
  // into the caller), which is where Grappler optimises it.
  TF_FunctionSetAttrValueProto(g.fn, xla ? "_XlaMustCompile" : "_noinline", attr_true, sizeof(attr_true), g.status);
  CheckTF(g.status, xla ? "_XlaMustCompile" : "_noinline");
  if (Failed()) return;
  TFE_Context *ctx = Context(env);
  if (Failed()) return;
  TFE_ContextAddFunction(ctx, g.fn, g.status);
  CheckTF(g.status, "TFE_ContextAddFunction");
  if (Failed() || xla) return;

  GraphGuard w;
  std::vector<TF_Output> w_inputs;
  std::vector<TF_DataType> in_types;
  for (size_t i = 0; i < inputs.size(); i++) {
    const TF_DataType t = TF_OperationOutputType(inputs[i]);
    in_types.push_back(t);
    const std::string opname = "input_" + std::to_string(i);
    TF_OperationDescription *d = TF_NewOperation(w.graph, "Placeholder", opname.c_str());
    TF_SetAttrType(d, "dtype", t);
    TF_Operation *op = TF_FinishOperation(d, w.status);
    CheckTF(w.status, "call input " + std::to_string(i));
    if (Failed()) return;
    w_inputs.push_back({op, 0});
  }
  std::vector<TF_DataType> out_types;
  for (const TF_Output &o : outputs) out_types.push_back(TF_OperationOutputType(o));
  TF_OperationDescription *d = TF_NewOperation(w.graph, "PartitionedCall", "call");
  TF_AddInputList(d, w_inputs.data(), static_cast<int>(w_inputs.size()));
  TF_SetAttrTypeList(d, "Tin", in_types.data(), static_cast<int>(in_types.size()));
  TF_SetAttrTypeList(d, "Tout", out_types.data(), static_cast<int>(out_types.size()));
  TF_SetAttrFuncName(d, "f", body.c_str(), body.size());
  TF_Operation *call = TF_FinishOperation(d, w.status);
  CheckTF(w.status, "PartitionedCall");
  if (Failed()) return;
  std::vector<TF_Output> w_outputs;
  for (size_t i = 0; i < outputs.size(); i++) w_outputs.push_back({call, static_cast<int>(i)});
  w.fn = TF_GraphToFunction(w.graph, fname.c_str(), 0, -1, nullptr, static_cast<int>(w_inputs.size()), w_inputs.data(), static_cast<int>(w_outputs.size()), w_outputs.data(), nullptr, nullptr,
                            "calls a training step recorded by ELBO", w.status);
  CheckTF(w.status, "TF_GraphToFunction (call)");
  if (Failed()) return;
  TFE_ContextAddFunction(ctx, w.fn, w.status);
  CheckTF(w.status, "TFE_ContextAddFunction (call)");
}

// Throws the recorded failure (unless N-API already has an exception pending) and clears it.
void ThrowIfFailed(napi_env env) {
  if (!Failed()) return;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, nullptr, failure.c_str());
  failure.clear();
}

// Starts a call from JavaScript: clears the last failure and reads up to `capacity` arguments into
// argv, failing with `usage` when fewer than `required` were given. Returns how many were given.
size_t Arguments(napi_env env, napi_callback_info info, napi_value *argv, size_t capacity, size_t required, const char *usage) {
  size_t argc = capacity;
  failure.clear();
  Check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "arguments");
  if (!Failed() && argc < required) Fail(usage);
  return argc;
}

napi_value DefineFunction(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  const size_t argc = Arguments(env, info, argv, 3, 2, "defineFunction(name, spec, xla) takes at least 2 arguments");
  if (!Failed()) {
    const bool xla = argc > 2 ? Bool(env, argv[2]) : false;
    const std::string name = Str(env, argv[0]);
    if (!Failed()) Define(env, name, argv[1], xla);
  }
  ThrowIfFailed(env);
  return nullptr;
}

// The executor function calls are queued on (made on first use, kept for the process).
TFE_Executor *async_executor = nullptr;

napi_value RemoveFunction(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Arguments(env, info, argv, 1, 1, "removeFunction(name) takes 1 argument");
  const std::string name = Failed() ? "" : Str(env, argv[0]);
  TFE_Context *ctx = Failed() ? nullptr : Context(env);
  if (!Failed()) {
    TF_Status *status = TF_NewStatus();
    // A queued call may still run it.
    if (async_executor) TFE_ExecutorWaitForAllPendingNodes(async_executor, status);
    TF_SetStatus(status, TF_OK, "");
    TFE_ContextRemoveFunction(ctx, name.c_str(), status);
    CheckTF(status, "TFE_ContextRemoveFunction");
    // The body a graph-mode function calls (absent for XLA functions: not an error).
    TFE_ContextRemoveFunction(ctx, (name + "_body").c_str(), status);
    TF_DeleteStatus(status);
  }
  ThrowIfFailed(env);
  return nullptr;
}

napi_value CallFunction(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Arguments(env, info, argv, 3, 3, "callFunction(name, inputIds, numOutputs) takes 3 arguments");
  const std::string name = Failed() ? "" : Str(env, argv[0]);
  const int64_t num_outputs = Failed() ? 0 : Int(env, argv[2]);
  tfnodejs::TFJSBackend *backend = Failed() ? nullptr : Backend(env);
  napi_value result = nullptr;
  if (!Failed()) {
    TFE_Context *ctx = backend->Context();
    TF_Status *status = TF_NewStatus();
    // An op runs on the executor of its thread when it is made: switch before making it.
    if (!async_executor) async_executor = TFE_NewExecutor(/*is_async=*/true, /*enable_streaming_enqueue=*/true, /*in_flight_nodes_limit=*/2);
    TFE_Executor *previous = TFE_ContextGetExecutorForThread(ctx);
    TFE_ContextSetExecutorForThread(ctx, async_executor);
    TFE_Op *op = TFE_NewOp(ctx, name.c_str(), status);
    CheckTF(status, "TFE_NewOp " + name);
    uint32_t n = 0;
    if (!Failed()) Check(env, napi_get_array_length(env, argv[1], &n), "inputIds");
    for (uint32_t i = 0; i < n && !Failed(); i++) {
      napi_value v;
      Check(env, napi_get_element(env, argv[1], i, &v), "inputIds[i]");
      const int64_t id = Failed() ? 0 : Int(env, v);
      TFE_TensorHandle *h = Failed() ? nullptr : backend->ElboHandle(static_cast<int32_t>(id));
      if (!Failed() && !h) Fail("callFunction: input tensor id " + std::to_string(id) + " is not referenced");
      if (!Failed()) {
        TFE_OpAddInput(op, h, status);
        CheckTF(status, "TFE_OpAddInput");
      }
    }
    std::vector<TFE_TensorHandle *> outputs(static_cast<size_t>(num_outputs), nullptr);
    if (!Failed()) {
      int size = static_cast<int>(outputs.size());
      TFE_Execute(op, outputs.data(), &size, status);
      CheckTF(status, "callFunction " + name);
      if (!Failed() && size != num_outputs) Fail("callFunction " + name + ": " + std::to_string(size) + " outputs, not " + std::to_string(num_outputs));
    }
    if (op) TFE_DeleteOp(op);
    TFE_ContextSetExecutorForThread(ctx, previous);
    TFE_DeleteExecutor(previous);  // the wrapper GetExecutorForThread made, not the context's executor
    TF_DeleteStatus(status);
    if (!Failed()) {
      Check(env, napi_create_array_with_length(env, outputs.size(), &result), "result");
      for (size_t i = 0; i < outputs.size() && !Failed(); i++) {
        napi_value id;
        Check(env, napi_create_int32(env, backend->ElboInsertHandle(outputs[i]), &id), "output id");
        Check(env, napi_set_element(env, result, static_cast<uint32_t>(i), id), "result[i]");
      }
    } else {
      for (TFE_TensorHandle *h : outputs)
        if (h) TFE_DeleteTensorHandle(h);
    }
  }
  ThrowIfFailed(env);
  return Failed() ? nullptr : result;
}

}  // namespace

void DefineFunctions(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"defineFunction", nullptr, DefineFunction, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"removeFunction", nullptr, RemoveFunction, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"callFunction", nullptr, CallFunction, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}

}  // namespace elbo
