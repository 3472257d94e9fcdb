// Logistic regression kernels: loss, gradient, probabilities and the SGD update.
//
// One thread per row computes the residual p - t and the loss; then one thread per (group of
// 64 rows, column) sums `residual * x` over the group; a reduce pass adds the groups' partial
// sums in a fixed order (so results are deterministic), writes the mean gradient and updates
// theta. A batch of at most 64 rows takes one fused dispatch instead of two, and the test loss
// one dispatch per 64-row group (a tree in workgroup memory). No atomics anywhere. Every
// dispatch reads its parameters from one record of a uniform buffer (a dynamic offset picks
// the record), so a whole epoch is encoded up front.
//
// The matrix is either f32 values (one word a value) or MNIST pixel bytes, four to a word
// (PACKED; each row padded to whole words). Bytes are read as torchvision's normalised values
// without ever being normalised: with a = SCALE = 1 / (255 sigma) and c = SHIFT = mu / sigma,
// a logit is a (w . v) - c sum(w) + b and a gradient entry a sum(r v) - c sum(r), so each
// pass reads a quarter of the f32 matrix's bytes.

// 1: the matrix holds pixel bytes; 0: f32 values. The pipelines are built once for each.
override PACKED: bool;
// 1 / (255 sigma): the scale of a raw byte in a normalised dot product.
override SCALE: f32;
// mu / sigma: minus the normalised value of a background (zero) pixel.
override SHIFT: f32;

struct Params {
    // First row of this dispatch, counted inside the bound matrix chunk.
    row_start: u32,
    // Rows covered by this dispatch.
    rows: u32,
    // Index of the first partial sum this dispatch writes.
    part_base: u32,
    // Columns of the matrix (pixels); theta has cols + 1 entries, the bias last.
    cols: u32,
    // reduce: partial sums to add.
    parts: u32,
    // reduce: 1 / batch size.
    inv_n: f32,
    // reduce: learning rate.
    lr: f32,
    // reduce: 1 to apply theta -= lr * gradient, 0 to leave theta alone.
    update: u32,
    // reduce: where the batch loss goes in `history`.
    hist: u32,
    // reduce / finish: first test loss partial.
    test_base: u32,
    // reduce / finish: test loss partials to add (0: none).
    test_parts: u32,
    // reduce / finish: 1 / test set size.
    test_inv_n: f32,
    // reduce / finish: where the test loss goes in `history`.
    test_hist: u32,
    // gradient: 1 to write probabilities.
    write_probs: u32,
    // gradient: index in `probs` of this dispatch's first row.
    prob_base: u32,
    // Rows of each region of `work` (residuals, losses, probabilities).
    work_rows: u32,
}

// f32 values (bit patterns) or packed bytes, see PACKED.
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> t: array<f32>;
@group(1) @binding(0) var<storage, read_write> theta: array<f32>;
@group(1) @binding(1) var<storage, read_write> partials: array<f32>;
@group(1) @binding(2) var<storage, read_write> loss_parts: array<f32>;
@group(1) @binding(3) var<storage, read_write> history: array<f32>;
// Three regions of `work_rows` values: residuals p - t, per-row losses, probabilities.
@group(1) @binding(4) var<storage, read_write> work: array<f32>;
@group(2) @binding(0) var<uniform> p: Params;

const GROUP: u32 = 64u;

// ln(1 + v) for v >= 0 without losing the digits of a small v. WGSL has no log1p, and a
// GPU's log near 1 is only accurate to an absolute 2^-21 (Vulkan's rule), so small v use the
// series v - v^2/2 + v^3/3 - ... (to v^9, error below 1e-9 relative for v < 1/8).
fn log1p_(v: f32) -> f32 {
    if (v < 0.125) {
        var s = 1.0 / 9.0;
        s = 1.0 / 8.0 - v * s;
        s = 1.0 / 7.0 - v * s;
        s = 1.0 / 6.0 - v * s;
        s = 1.0 / 5.0 - v * s;
        s = 1.0 / 4.0 - v * s;
        s = 1.0 / 3.0 - v * s;
        s = 1.0 / 2.0 - v * s;
        s = 1.0 - v * s;
        return v * s;
    }
    return log(1.0 + v);
}

// Binary cross-entropy in its log-sigmoid form softplus(z) - t z, finite for any z and
// written without cancellation: for z >= 0 it is (1 - t) z + ln(1 + e^-z), else
// ln(1 + e^z) - t z, so a well-classified sample's small loss keeps its digits in f32.
fn sample_loss(z: f32, target_value: f32) -> f32 {
    let tail = log1p_(exp(-abs(z)));
    if (z >= 0.0) {
        return (1.0 - target_value) * z + tail;
    }
    return tail - target_value * z;
}

fn sigmoid(z: f32) -> f32 {
    if (z >= 0.0) {
        return 1.0 / (1.0 + exp(-z));
    }
    let e = exp(z);
    return e / (1.0 + e);
}

// Words of one matrix row.
fn row_words() -> u32 {
    if (PACKED) {
        return (p.cols + 3u) / 4u;
    }
    return p.cols;
}

// Entry (row, j) as the sums read it: the f32 value, or the raw byte (0 to 255) as f32.
fn value(row: u32, j: u32) -> f32 {
    if (PACKED) {
        let word = x[row * row_words() + j / 4u];
        return f32(extractBits(word, 8u * (j % 4u), 8u));
    }
    return bitcast<f32>(x[row * p.cols + j]);
}

// A sum of raw values (and of the residuals that weigh them) as the normalised sum.
fn folded(s: f32, residuals: f32) -> f32 {
    if (PACKED) {
        return s * SCALE - SHIFT * residuals;
    }
    return s;
}

// The four bytes of a word, lowest first, as f32.
fn bytes4(word: u32) -> vec4<f32> {
    return vec4<f32>(
        f32(word & 0xffu),
        f32((word >> 8u) & 0xffu),
        f32((word >> 16u) & 0xffu),
        f32(word >> 24u),
    );
}

// x_row . w + b over pixel bytes: one word (four pixels) a step, summing w alongside for the
// folded constant b - c sum(w).
fn logit_bytes(row: u32) -> f32 {
    let cols = p.cols;
    let base = row * row_words();
    var a = vec4<f32>(0.0);
    var sw = vec4<f32>(0.0);
    let full = cols / 4u;
    for (var q = 0u; q < full; q += 1u) {
        let j = 4u * q;
        let w = vec4<f32>(theta[j], theta[j + 1u], theta[j + 2u], theta[j + 3u]);
        a += bytes4(x[base + q]) * w;
        sw += w;
    }
    var s = (a.x + a.y) + (a.z + a.w);
    var sum_w = (sw.x + sw.y) + (sw.z + sw.w);
    for (var j = 4u * full; j < cols; j += 1u) {
        s += value(row, j) * theta[j];
        sum_w += theta[j];
    }
    return s * SCALE + (theta[cols] - SHIFT * sum_w);
}

// x_row . w + b, with four running sums.
fn logit(row: u32) -> f32 {
    if (PACKED) {
        return logit_bytes(row);
    }
    let cols = p.cols;
    let base = row * cols;
    var a0 = 0.0;
    var a1 = 0.0;
    var a2 = 0.0;
    var a3 = 0.0;
    var j = 0u;
    for (; j + 4u <= cols; j += 4u) {
        a0 += bitcast<f32>(x[base + j]) * theta[j];
        a1 += bitcast<f32>(x[base + j + 1u]) * theta[j + 1u];
        a2 += bitcast<f32>(x[base + j + 2u]) * theta[j + 2u];
        a3 += bitcast<f32>(x[base + j + 3u]) * theta[j + 3u];
    }
    for (; j < cols; j += 1u) {
        a0 += bitcast<f32>(x[base + j]) * theta[j];
    }
    return ((a0 + a1) + (a2 + a3)) + theta[cols];
}

// Workgroups may be laid out in two dimensions when one would exceed the dispatch limit.
fn group_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wid.x + wid.y * nwg.x;
}

// One thread per row: residual p - t, loss and (when asked) probability, written to `work`
// at the row's position in the batch.
@compute @workgroup_size(64)
fn residual(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = group_index(wid, nwg) * GROUP + lid;
    if (i >= p.rows) {
        return;
    }
    let row = p.row_start + i;
    let z = logit(row);
    let tv = t[row];
    let prob = sigmoid(z);
    let at = p.prob_base + i;
    work[at] = prob - tv;
    work[p.work_rows + at] = sample_loss(z, tv);
    if (p.write_probs != 0u) {
        work[2u * p.work_rows + at] = prob;
    }
}

// One thread per (group of 64 rows, column): sum over the group of (p - t) x_j; column
// `cols` sums (p - t) (the bias) and column `cols + 1` the loss. Groups run along y (and z).
@compute @workgroup_size(64)
fn partial(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let group = gid.y + gid.z * nwg.y;
    let first = group * GROUP;
    let j = gid.x;
    let cols = p.cols;
    if (first >= p.rows || j > cols + 1u) {
        return;
    }
    let count = min(GROUP, p.rows - first);
    let res = p.prob_base + first;
    var s = 0.0;
    if (j < cols) {
        let row0 = p.row_start + first;
        var sr = 0.0;
        for (var k = 0u; k < count; k += 1u) {
            let r = work[res + k];
            s += r * value(row0 + k, j);
            sr += r;
        }
        s = folded(s, sr);
    } else if (j == cols) {
        for (var k = 0u; k < count; k += 1u) {
            s += work[res + k];
        }
    } else {
        for (var k = 0u; k < count; k += 1u) {
            s += work[p.work_rows + res + k];
        }
        loss_parts[p.part_base + group] = s;
        return;
    }
    partials[(p.part_base + group) * (cols + 1u) + j] = s;
}

// Per-row values of one workgroup (the two kernels below).
var<workgroup> residuals: array<f32, 64>;
var<workgroup> losses: array<f32, 64>;

// A batch of at most 64 rows in one dispatch (batch size 1 runs this every step): each thread
// takes one row's residual and loss, then the 64 threads share the columns.
@compute @workgroup_size(64)
fn small_gradient(@builtin(local_invocation_index) lid: u32) {
    let count = min(GROUP, p.rows);
    var r = 0.0;
    var l = 0.0;
    if (lid < count) {
        let row = p.row_start + lid;
        let z = logit(row);
        let tv = t[row];
        let prob = sigmoid(z);
        r = prob - tv;
        l = sample_loss(z, tv);
        if (p.write_probs != 0u) {
            work[2u * p.work_rows + p.prob_base + lid] = prob;
        }
    }
    residuals[lid] = r;
    losses[lid] = l;
    workgroupBarrier();
    let cols = p.cols;
    let out = p.part_base * (cols + 1u);
    for (var j = lid; j < cols; j += GROUP) {
        var s = 0.0;
        var sr = 0.0;
        for (var k = 0u; k < count; k += 1u) {
            s += residuals[k] * value(p.row_start + k, j);
            sr += residuals[k];
        }
        partials[out + j] = folded(s, sr);
    }
    if (lid == 0u) {
        var sb = 0.0;
        var sl = 0.0;
        for (var k = 0u; k < count; k += 1u) {
            sb += residuals[k];
            sl += losses[k];
        }
        partials[out + cols] = sb;
        loss_parts[p.part_base] = sl;
    }
}

// Summed loss of each group of 64 rows (the test loss): one workgroup a group, a tree in a
// fixed order.
@compute @workgroup_size(64)
fn row_loss(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let group = group_index(wid, nwg);
    let first = group * GROUP;
    if (first >= p.rows) {
        return;
    }
    let count = min(GROUP, p.rows - first);
    var l = 0.0;
    if (lid < count) {
        let row = p.row_start + first + lid;
        l = sample_loss(logit(row), t[row]);
    }
    losses[lid] = l;
    workgroupBarrier();
    for (var s = GROUP / 2u; s > 0u; s = s / 2u) {
        if (lid < s) {
            losses[lid] += losses[lid + s];
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        loss_parts[p.part_base + group] = losses[0];
    }
}

// Kahan-compensated sum of loss_parts[base .. base + n].
fn sum_losses(base: u32, n: u32) -> f32 {
    var s = 0.0;
    var c = 0.0;
    for (var i = 0u; i < n; i += 1u) {
        let y = loss_parts[base + i] - c;
        let next = s + y;
        c = (next - s) - y;
        s = next;
    }
    return s;
}

// One thread per entry of theta: adds the groups' partial sums in order, writes the mean
// gradient over partials[0 .. cols + 1] and (when asked) takes the SGD step. Thread cols + 1
// finishes the batch loss; thread cols + 2 finishes the test loss of the previous step.
@compute @workgroup_size(64)
fn reduce(@builtin(global_invocation_id) gid: vec3<u32>) {
    let j = gid.x;
    let cols = p.cols;
    if (j <= cols) {
        let stride = cols + 1u;
        var s = 0.0;
        var c = 0.0;
        for (var i = 0u; i < p.parts; i += 1u) {
            let y = partials[i * stride + j] - c;
            let next = s + y;
            c = (next - s) - y;
            s = next;
        }
        let g = s * p.inv_n;
        partials[j] = g;
        if (p.update != 0u) {
            theta[j] = theta[j] - p.lr * g;
        }
    } else if (j == cols + 1u) {
        history[p.hist] = sum_losses(0u, p.parts) * p.inv_n;
    } else if (j == cols + 2u && p.test_parts != 0u) {
        history[p.test_hist] = sum_losses(p.test_base, p.test_parts) * p.test_inv_n;
    }
}

// Finishes the test loss of the last step of an epoch.
@compute @workgroup_size(1)
fn finish(@builtin(global_invocation_id) gid: vec3<u32>) {
    if (gid.x == 0u && p.test_parts != 0u) {
        history[p.test_hist] = sum_losses(p.test_base, p.test_parts) * p.test_inv_n;
    }
}
