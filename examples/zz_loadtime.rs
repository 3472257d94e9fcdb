fn main() {
    let t = std::time::Instant::now();
    let d = descent::data::OnesSevens::load().unwrap();
    println!("load {:?} {}", t.elapsed(), d.train.len());
    let dev = descent::device::Device::gpu().unwrap();
    let t = std::time::Instant::now();
    let th = ndarray::Array1::from_elem(785, 0.01f32);
    let b = dev.upload(d.train.x.view(), d.train.t.view()).unwrap();
    println!("upload {:?}", t.elapsed());
    let mut g = vec![0.0; 785];
    for _ in 0..3 {
        let t = std::time::Instant::now();
        b.loss_and_gradient(th.view(), &mut g).unwrap();
        println!("lg {:?}", t.elapsed());
    }
    let t = std::time::Instant::now();
    let cfg = descent::train::TrainConfig::new(500, 1, 0.01);
    let r = dev.train(th.clone(), &d.train, &d.test, &cfg).unwrap();
    println!("bs500 1 epoch {:?} {}", t.elapsed(), r.train_loss.len());
    let t = std::time::Instant::now();
    let cfg = descent::train::TrainConfig::new(13007, 1, 0.01);
    let r = dev.train(th.clone(), &d.train, &d.test, &cfg).unwrap();
    println!("bs13007 1 epoch {:?} {}", t.elapsed(), r.train_loss.len());
}
