#include "worker/nn/dnnl_conv2d.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <unordered_map>

#ifdef HPSEARCH_HAVE_DNNL
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace hpsearch::nn {

int64_t DnnlConv2d::EstimateFloats(const ImageShape& in, const Conv2dConfig& c, int64_t max_rows) {
  if (in.channels < kDnnlMinChannels) return 0;
  const absl::StatusOr<ImageShape> out = Conv2dOutput(in, c);
  if (!out.ok()) return 0;
  auto padded = [](const ImageShape& s) { return (int64_t{s.channels} + 15) / 16 * 16 * s.plane(); };
  // src and diff_src, dst and two diff_dst copies, per image; weights three times.
  const int64_t weights = (int64_t{in.channels} + 15) / 16 * 16 * c.kernel * c.kernel * ((c.filters + 15) / 16 * 16);
  return max_rows * (2 * padded(in) + 3 * padded(*out)) + 3 * weights + 2 * int64_t{c.filters};
}

#ifdef HPSEARCH_HAVE_DNNL

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr memory::data_type kF32 = memory::data_type::f32;

// The trainer's layout of m images of `shape`: one image a row, C·H·W.
memory::desc Images(int m, const ImageShape& shape) {
  return memory::desc({m, shape.channels, shape.height, shape.width}, kF32, Tag::nchw);
}

// The trainer's weights, (C·k·k) × F row-major, as oneDNN's O×I×H×W by strides.
memory::desc Weights(const ImageShape& in, const Conv2dConfig& c) {
  const memory::dim k = c.kernel, f = c.filters;
  return memory::desc({f, in.channels, k, k}, kF32, memory::dims{1, k * k * f, k * f, f});
}

void* Handle(const float* p) { return const_cast<float*>(p); }

// A reorder between the trainer's buffer and a primitive's layout, when the two
// differ (the other end then owned here); else both ends are the trainer's buffer.
struct Reorder {
  dnnl::reorder op;
  memory from, to;
  bool needed = false;
  // The trainer's `user` buffer read by a primitive as `md`: the primitive reads `to`.
  void Input(const memory& user, const memory::desc& md, const dnnl::engine& eng) {
    from = to = user;
    if (user.get_desc() != md) Between(memory(md, eng), true);
  }
  // A primitive's output `md` written into the trainer's `user`: it writes `from`.
  void Output(const memory::desc& md, const memory& user, const dnnl::engine& eng) {
    from = to = user;
    if (user.get_desc() != md) Between(memory(md, eng), false);
  }
  void Run(dnnl::stream& s) {
    if (needed) op.execute(s, from, to);
  }

 private:
  void Between(const memory& own, bool input) {
    (input ? to : from) = own;
    op = dnnl::reorder(from, to);
    needed = true;
  }
};

}  // namespace

// The primitives and buffers of one block for one number of images.
struct DnnlConv2d::Batch {
  memory user_src, user_dst, user_w, user_dw, user_dsrc, user_ddst, bias, dbias;
  // Inputs: the primitives read `to`. The backward-weights pass reads the images the
  // forward pass reordered (`src.to`), reordered again only where its kernel wants
  // another layout (src_w: on AVX-512 it may, for a few input channels).
  Reorder src, src_w, w_fwd, w_bwd, ddst_w, ddst_d;
  Reorder dst, dsrc, dw;  // outputs: the primitives write `from`
  std::unique_ptr<float[]> scratch;
  // Each primitive's arguments: the same memory objects every call, their handles set.
  std::unordered_map<int, memory> fwd_args, bwd_d_args, bwd_w_args;
  dnnl::convolution_forward fwd;
  dnnl::convolution_backward_data bwd_d;
  dnnl::convolution_backward_weights bwd_w;
};

struct DnnlConv2d::Block {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{eng};
  std::map<int, std::unique_ptr<Batch>> batches;
};

DnnlConv2d::DnnlConv2d(const ImageShape& in, const Conv2dConfig& c)
    : in_(in),
      out_(*Conv2dOutput(in, c)),
      c_(c),
      blocks_{std::make_unique<Block>(), std::make_unique<Block>()},
      dw1_(in.channels * c.kernel * c.kernel, c.filters),
      db1_(c.filters) {}

DnnlConv2d::~DnnlConv2d() = default;

bool DnnlConv2d::Enabled() {
  const char* kernel = std::getenv("HPSEARCH_CONV_KERNEL");
  return kernel == nullptr || std::string_view(kernel) != "im2col";
}

std::unique_ptr<DnnlConv2d> DnnlConv2d::Make(const ImageShape& in, const Conv2dConfig& c) {
  if (!Enabled()) return nullptr;
  if (in.channels < kDnnlMinChannels || !Conv2dOutput(in, c).ok()) return nullptr;
  try {
    std::unique_ptr<DnnlConv2d> conv(new DnnlConv2d(in, c));
    conv->BatchOf(0, 1);  // a kernel exists for the shape, or throws
    return conv;
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

DnnlConv2d::Batch& DnnlConv2d::BatchOf(int block, int images) {
  Block& bl = *blocks_[block];
  auto it = bl.batches.find(images);
  if (it != bl.batches.end()) return *it->second;
  auto b = std::make_unique<Batch>();
  const dnnl::engine& eng = bl.eng;
  const Tag any = Tag::any;
  const memory::dims src{images, in_.channels, in_.height, in_.width},
      dst{images, out_.channels, out_.height, out_.width}, wei{c_.filters, in_.channels, c_.kernel, c_.kernel},
      strides{c_.stride, c_.stride}, pad{c_.padding, c_.padding};
  const memory::desc src_md(src, kF32, any), dst_md(dst, kF32, any), wei_md(wei, kF32, any),
      bias_md({c_.filters}, kF32, Tag::x);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const auto algo = dnnl::algorithm::convolution_direct;
  using Fwd = dnnl::convolution_forward;
  using BwdD = dnnl::convolution_backward_data;
  using BwdW = dnnl::convolution_backward_weights;
  const Fwd::primitive_desc fpd(
      c_.bias ? Fwd::desc(dnnl::prop_kind::forward_training, algo, src_md, wei_md, bias_md, dst_md, strides, pad, pad)
              : Fwd::desc(dnnl::prop_kind::forward_training, algo, src_md, wei_md, dst_md, strides, pad, pad),
      attr, eng);
  const BwdD::primitive_desc dpd(BwdD::desc(algo, src_md, wei_md, dst_md, strides, pad, pad), attr, eng, fpd);
  const BwdW::primitive_desc wpd(c_.bias ? BwdW::desc(algo, src_md, wei_md, bias_md, dst_md, strides, pad, pad)
                                         : BwdW::desc(algo, src_md, wei_md, dst_md, strides, pad, pad),
                                 attr, eng, fpd);
  b->fwd = Fwd(fpd);
  b->bwd_d = BwdD(dpd);
  b->bwd_w = BwdW(wpd);

  // The trainer's buffers, their handles set on each call.
  b->user_src = memory(Images(images, in_), eng, DNNL_MEMORY_NONE);
  b->user_dsrc = memory(Images(images, in_), eng, DNNL_MEMORY_NONE);
  b->user_dst = memory(Images(images, out_), eng, DNNL_MEMORY_NONE);
  b->user_ddst = memory(Images(images, out_), eng, DNNL_MEMORY_NONE);
  b->user_w = memory(Weights(in_, c_), eng, DNNL_MEMORY_NONE);
  b->user_dw = memory(Weights(in_, c_), eng, DNNL_MEMORY_NONE);
  b->bias = memory(bias_md, eng, DNNL_MEMORY_NONE);
  b->dbias = memory(bias_md, eng, DNNL_MEMORY_NONE);

  b->src.Input(b->user_src, fpd.src_desc(), eng);
  b->src_w.Input(b->src.to, wpd.src_desc(), eng);
  b->w_fwd.Input(b->user_w, fpd.weights_desc(), eng);
  b->w_bwd.Input(b->user_w, dpd.weights_desc(), eng);
  b->ddst_w.Input(b->user_ddst, wpd.diff_dst_desc(), eng);
  b->ddst_d.Input(b->user_ddst, dpd.diff_dst_desc(), eng);
  b->dst.Output(fpd.dst_desc(), b->user_dst, eng);
  b->dsrc.Output(dpd.diff_src_desc(), b->user_dsrc, eng);
  b->dw.Output(wpd.diff_weights_desc(), b->user_dw, eng);

  // One scratchpad for the three primitives (they run one after another).
  const std::size_t bytes = std::max({fpd.scratchpad_desc().get_size(), dpd.scratchpad_desc().get_size(),
                                      wpd.scratchpad_desc().get_size(), std::size_t{64}});
  b->scratch.reset(new float[(bytes + 3) / 4 + 16]);
  float* sp = b->scratch.get();
  b->fwd_args = {{DNNL_ARG_SRC, b->src.to},
                 {DNNL_ARG_WEIGHTS, b->w_fwd.to},
                 {DNNL_ARG_DST, b->dst.from},
                 {DNNL_ARG_SCRATCHPAD, memory(fpd.scratchpad_desc(), eng, sp)}};
  b->bwd_w_args = {{DNNL_ARG_SRC, b->src_w.to},
                   {DNNL_ARG_DIFF_DST, b->ddst_w.to},
                   {DNNL_ARG_DIFF_WEIGHTS, b->dw.from},
                   {DNNL_ARG_SCRATCHPAD, memory(wpd.scratchpad_desc(), eng, sp)}};
  b->bwd_d_args = {{DNNL_ARG_DIFF_DST, b->ddst_d.to},
                   {DNNL_ARG_WEIGHTS, b->w_bwd.to},
                   {DNNL_ARG_DIFF_SRC, b->dsrc.from},
                   {DNNL_ARG_SCRATCHPAD, memory(dpd.scratchpad_desc(), eng, sp)}};
  if (c_.bias) {
    b->fwd_args.emplace(DNNL_ARG_BIAS, b->bias);
    b->bwd_w_args.emplace(DNNL_ARG_DIFF_BIAS, b->dbias);
  }
  return *bl.batches.emplace(images, std::move(b)).first->second;
}

void DnnlConv2d::Forward(ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap bias, MatrixMap z,
                         const StepThreads& threads) {
  threads.For(Conv2dBlocks(x.rows()), [&](int k) {
    omp_set_num_threads(1);  // oneDNN on the calling thread only
    const auto [begin, end] = Conv2dImages(k, x.rows());
    Batch& b = BatchOf(k, static_cast<int>(end - begin));
    dnnl::stream& s = blocks_[k]->stream;
    b.user_src.set_data_handle(Handle(x.data() + begin * x.cols()));
    b.src.Run(s);
    b.user_w.set_data_handle(Handle(w.data()));
    b.w_fwd.Run(s);
    b.user_dst.set_data_handle(z.data() + begin * z.cols());
    if (c_.bias) b.bias.set_data_handle(Handle(bias.data()));
    b.fwd.execute(s, b.fwd_args);
    b.dst.Run(s);
    s.wait();
  });
}

void DnnlConv2d::Backward(ConstMatrixMap w, ConstMatrixMap dz, MatrixMap dw, RowVectorMap db, MatrixMap* dx,
                          const StepThreads& threads) {
  const int blocks = Conv2dBlocks(dz.rows());
  threads.For(blocks, [&](int k) {
    omp_set_num_threads(1);
    const auto [begin, end] = Conv2dImages(k, dz.rows());
    Batch& b = BatchOf(k, static_cast<int>(end - begin));
    dnnl::stream& s = blocks_[k]->stream;
    b.user_ddst.set_data_handle(Handle(dz.data() + begin * dz.cols()));
    b.src_w.Run(s);
    b.ddst_w.Run(s);
    b.user_dw.set_data_handle(k == 0 ? dw.data() : dw1_.data());
    if (c_.bias) b.dbias.set_data_handle(k == 0 ? db.data() : db1_.data());
    b.bwd_w.execute(s, b.bwd_w_args);
    b.dw.Run(s);
    if (dx != nullptr) {
      b.ddst_d.Run(s);
      b.user_w.set_data_handle(Handle(w.data()));
      b.w_bwd.Run(s);
      b.user_dsrc.set_data_handle(dx->data() + begin * dx->cols());
      b.bwd_d.execute(s, b.bwd_d_args);
      b.dsrc.Run(s);
    }
    s.wait();
  });
  if (blocks == 2) {
    dw += dw1_;  // the second block's dW and db, summed apart (conv2d.h)
    if (c_.bias) db += db1_;
  }
}

#else  // without oneDNN: every layer takes im2col

struct DnnlConv2d::Batch {};
struct DnnlConv2d::Block {};
DnnlConv2d::~DnnlConv2d() = default;
bool DnnlConv2d::Enabled() { return false; }
std::unique_ptr<DnnlConv2d> DnnlConv2d::Make(const ImageShape&, const Conv2dConfig&) { return nullptr; }
void DnnlConv2d::Forward(ConstMatrixMap, ConstMatrixMap, ConstRowVectorMap, MatrixMap, const StepThreads&) {}
void DnnlConv2d::Backward(ConstMatrixMap, ConstMatrixMap, MatrixMap, RowVectorMap, MatrixMap*, const StepThreads&) {}

#endif

}  // namespace hpsearch::nn
