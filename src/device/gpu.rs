//! The wgpu device: finding an adapter, opening it, and running work on it without panics or
//! hangs. Kernels live in `gpu/logistic.wgsl` ([`kernels`]); data uploads in [`matrix`]; one
//! evaluation in [`evaluate`]; whole training runs in [`train`].
//!
//! Every allocation and submission runs inside wgpu error scopes (out-of-memory and
//! validation), a device-lost callback records a lost device, waits have a timeout, and
//! buffer mapping reports its result: each failure becomes a [`DeviceError`].

pub mod adapter;
pub mod evaluate;
pub mod kernels;
pub mod matrix;
pub mod plan;
pub mod state;
pub mod train;

use super::DeviceError;
use kernels::Kernels;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use wgpu::util::DeviceExt;

/// How to open the GPU.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuOptions {
    /// Accept software adapters (llvmpipe): slower than the CPU path, but they test the kernels.
    pub allow_software: bool,
    /// Bytes one storage binding may hold, below the adapter's own limit. Tests set it small
    /// to exercise the splitting of large matrices; `None` uses the adapter's limit.
    pub max_binding_bytes: Option<u64>,
    /// Longest wait for one submission before giving up with [`DeviceError::Timeout`].
    pub timeout: Duration,
    /// Dispatches per command buffer in training: large enough to amortise a submission,
    /// small enough that the GPU starts while the rest of an epoch is being encoded.
    pub dispatches_per_submit: usize,
}

impl Default for GpuOptions {
    fn default() -> Self {
        Self {
            allow_software: false,
            max_binding_bytes: None,
            timeout: Duration::from_secs(600),
            dispatches_per_submit: 4096,
        }
    }
}

/// An opened GPU with the logistic-regression kernels compiled.
pub struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    name: String,
    limits: wgpu::Limits,
    max_binding: u64,
    timeout: Duration,
    dispatches_per_submit: usize,
    lost: Arc<Mutex<Option<String>>>,
    uncaptured: Arc<Mutex<Option<String>>>,
    kernels: Kernels,
}

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu").field("adapter", &self.name).finish()
    }
}

/// The adapters this machine offers, through the backends `WGPU_BACKEND` allows (all by
/// default).
fn adapters() -> (wgpu::Instance, Vec<wgpu::Adapter>) {
    let desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    let backends = desc.backends;
    let instance = wgpu::Instance::new(desc);
    let list = pollster::block_on(instance.enumerate_adapters(backends));
    (instance, list)
}

impl Gpu {
    /// Opens the best adapter `options` allow. [`DeviceError::NoAdapter`] when there is none.
    pub fn open(options: &GpuOptions) -> Result<Gpu, DeviceError> {
        let (_instance, list) = adapters();
        let infos: Vec<wgpu::AdapterInfo> = list.iter().map(|a| a.get_info()).collect();
        let index = adapter::pick(&infos, options.allow_software).ok_or(DeviceError::NoAdapter)?;
        Self::open_adapter(&list[index], options)
    }

    fn open_adapter(adapter: &wgpu::Adapter, options: &GpuOptions) -> Result<Gpu, DeviceError> {
        let info = adapter.get_info();
        let name = adapter::describe(&info);
        // Everything the adapter offers: downlevel defaults allow too few storage buffers.
        let limits = adapter.limits();
        let desc = wgpu::DeviceDescriptor {
            label: Some("descent"),
            required_limits: limits.clone(),
            ..Default::default()
        };
        let (device, queue) =
            pollster::block_on(adapter.request_device(&desc)).map_err(|e| DeviceError::Start {
                adapter: name.clone(),
                message: e.to_string(),
            })?;
        let lost = Arc::new(Mutex::new(None));
        let lost_flag = Arc::clone(&lost);
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut slot) = lost_flag.lock() {
                *slot = Some(if message.is_empty() {
                    format!("{reason:?}")
                } else {
                    format!("{reason:?}: {message}")
                });
            }
        });
        let uncaptured = Arc::new(Mutex::new(None));
        let uncaptured_slot = Arc::clone(&uncaptured);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            if let Ok(mut slot) = uncaptured_slot.lock() {
                slot.get_or_insert_with(|| error.to_string());
            }
        }));
        let adapter_binding = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        let max_binding = options
            .max_binding_bytes
            .map_or(adapter_binding, |b| b.min(adapter_binding));
        let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let kernels = Kernels::new(&device);
        if let Some(e) = pollster::block_on(validation.pop()) {
            return Err(DeviceError::Rejected {
                adapter: name,
                action: "compiling the kernels".into(),
                message: e.to_string(),
            });
        }
        Ok(Gpu {
            kernels,
            device,
            queue,
            info,
            name,
            limits,
            max_binding,
            timeout: options.timeout,
            dispatches_per_submit: options.dispatches_per_submit.max(1),
            lost,
            uncaptured,
        })
    }

    /// "NVIDIA H100 (Vulkan)": the adapter's name and backend.
    pub fn describe(&self) -> &str {
        &self.name
    }

    /// What wgpu says about the adapter.
    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    /// Whether the adapter is a software one (llvmpipe and the like).
    pub fn is_software(&self) -> bool {
        adapter::is_software(&self.info)
    }

    /// Releases the GPU now (as a driver reset would): later work on it returns
    /// [`DeviceError::Lost`] (or [`DeviceError::Rejected`]) instead of running.
    pub fn destroy(&self) {
        self.device.destroy();
        // Let wgpu deliver the device-lost callback; a failed poll only means it is gone.
        let _ = self.device.poll(wgpu::PollType::Poll);
    }

    /// Bytes one storage binding may hold here.
    pub fn max_binding_bytes(&self) -> u64 {
        self.max_binding
    }

    pub(crate) fn dispatches_per_submit(&self) -> usize {
        self.dispatches_per_submit
    }

    pub(crate) fn kernels(&self) -> &Kernels {
        &self.kernels
    }

    pub(crate) fn device(&self) -> &wgpu::Device {
        &self.device
    }

    pub(crate) fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    pub(crate) fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    /// A lost device, if the driver said so.
    fn check_lost(&self) -> Result<(), DeviceError> {
        let lost = self.lost.lock().ok().and_then(|l| l.clone());
        match lost {
            Some(reason) => Err(DeviceError::Lost {
                adapter: self.name.clone(),
                reason,
            }),
            None => Ok(()),
        }
    }

    /// Runs `f` inside out-of-memory and validation error scopes and turns what they catch
    /// into a [`DeviceError`] naming `action`.
    pub(crate) fn guarded<T>(
        &self,
        action: &str,
        f: impl FnOnce(&Self) -> T,
    ) -> Result<T, DeviceError> {
        self.check_lost()?;
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let value = f(self);
        let rejected = pollster::block_on(validation.pop());
        let out_of_memory = pollster::block_on(oom.pop());
        self.check_lost()?;
        if out_of_memory.is_some() {
            return Err(DeviceError::OutOfMemory {
                adapter: self.name.clone(),
                action: action.to_string(),
            });
        }
        let uncaptured = self.uncaptured.lock().ok().and_then(|mut u| u.take());
        if let Some(message) = rejected.map(|e| e.to_string()).or(uncaptured) {
            return Err(DeviceError::Rejected {
                adapter: self.name.clone(),
                action: action.to_string(),
                message,
            });
        }
        Ok(value)
    }

    /// Checks that a buffer of `bytes` fits the adapter's limits.
    pub(crate) fn check_buffer(&self, action: &str, bytes: u64) -> Result<(), DeviceError> {
        if bytes > self.limits.max_buffer_size {
            return Err(DeviceError::Limit {
                adapter: self.name.clone(),
                action: action.to_string(),
                limit: "max_buffer_size",
                needed: bytes,
                allowed: self.limits.max_buffer_size,
            });
        }
        Ok(())
    }

    /// Checks that one storage binding of `bytes` fits.
    pub(crate) fn check_binding(&self, action: &str, bytes: u64) -> Result<(), DeviceError> {
        if bytes > self.max_binding {
            return Err(DeviceError::Limit {
                adapter: self.name.clone(),
                action: action.to_string(),
                limit: "max_storage_buffer_binding_size",
                needed: bytes,
                allowed: self.max_binding,
            });
        }
        Ok(())
    }

    /// A zeroed storage buffer of `floats` f32 values (at least one), within the limits.
    pub(crate) fn storage(&self, label: &str, floats: usize) -> Result<wgpu::Buffer, DeviceError> {
        let bytes = (floats.max(1) * 4) as u64;
        let action = format!("allocating {label}");
        self.check_buffer(&action, bytes)?;
        self.check_binding(&action, bytes)?;
        self.guarded(&action, |g| {
            g.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            })
        })
    }

    /// A buffer initialised with `bytes`, within the limits.
    pub(crate) fn init_buffer(
        &self,
        label: &str,
        bytes: &[u8],
        usage: wgpu::BufferUsages,
    ) -> Result<wgpu::Buffer, DeviceError> {
        let action = format!("uploading {label}");
        self.check_buffer(&action, bytes.len() as u64)?;
        self.guarded(&action, |g| {
            g.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(label),
                    contents: bytes,
                    usage,
                })
        })
    }

    /// Submits `commands` and waits for them, at most the timeout.
    pub(crate) fn submit_and_wait(
        &self,
        action: &str,
        commands: wgpu::CommandBuffer,
    ) -> Result<(), DeviceError> {
        let index = self.guarded(action, |g| g.queue.submit([commands]))?;
        self.wait(action, Some(index))
    }

    fn wait(&self, action: &str, index: Option<wgpu::SubmissionIndex>) -> Result<(), DeviceError> {
        let poll = self.device.poll(wgpu::PollType::Wait {
            submission_index: index,
            timeout: Some(self.timeout),
        });
        self.check_lost()?;
        match poll {
            Ok(_) => Ok(()),
            Err(wgpu::PollError::Timeout) => Err(DeviceError::Timeout {
                adapter: self.name.clone(),
                action: action.to_string(),
                seconds: self.timeout.as_secs(),
            }),
            Err(e) => Err(DeviceError::Rejected {
                adapter: self.name.clone(),
                action: action.to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// Copies `count` f32 values from each `(buffer, first float)` to the host, in one trip.
    pub(crate) fn read(
        &self,
        action: &str,
        encoder: wgpu::CommandEncoder,
        sources: &[(&wgpu::Buffer, usize, usize)],
    ) -> Result<Vec<Vec<f32>>, DeviceError> {
        let mut encoder = encoder;
        let total: usize = sources.iter().map(|s| s.2).sum();
        let bytes = (total.max(1) * 4) as u64;
        self.check_buffer(action, bytes)?;
        let staging = self.guarded(action, |g| {
            g.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("read back"),
                size: bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        })?;
        let mut offset = 0u64;
        for &(buffer, first, count) in sources {
            if count > 0 {
                let size = (count * 4) as u64;
                encoder.copy_buffer_to_buffer(buffer, (first * 4) as u64, &staging, offset, size);
                offset += size;
            }
        }
        self.submit_and_wait(action, encoder.finish())?;
        let (sender, receiver) = mpsc::channel();
        let slice = staging.slice(..);
        slice.map_async(wgpu::MapMode::Read, move |result| {
            // The receiver outlives the wait below; a send error only means nobody listens.
            let _ = sender.send(result);
        });
        self.wait(action, None)?;
        let mapped = receiver.recv_timeout(Duration::from_secs(1));
        match mapped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Err(DeviceError::Rejected {
                    adapter: self.name.clone(),
                    action: action.to_string(),
                    message: format!("mapping the results failed: {e}"),
                });
            }
            Err(_) => {
                return Err(DeviceError::Timeout {
                    adapter: self.name.clone(),
                    action: action.to_string(),
                    seconds: self.timeout.as_secs(),
                });
            }
        }
        let values: Vec<f32> = {
            let view = slice
                .get_mapped_range()
                .map_err(|e| DeviceError::Rejected {
                    adapter: self.name.clone(),
                    action: action.to_string(),
                    message: format!("reading the mapped results failed: {e}"),
                })?;
            bytemuck::cast_slice::<u8, f32>(&view).to_vec()
        };
        staging.unmap();
        let mut out = Vec::with_capacity(sources.len());
        let mut at = 0;
        for &(_, _, count) in sources {
            out.push(values[at..at + count].to_vec());
            at += count;
        }
        Ok(out)
    }
}
