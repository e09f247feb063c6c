//! Waveshapers (sound.md Appendix A): tanh, SC's distort x/(1 + |x|), and rounding to a step.

/// Saturates `x` by tanh.
#[inline]
pub fn tanh(x: f32) -> f32 {
    x.tanh()
}

/// SC's `distort`: x / (1 + |x|), a soft clipper towards ±1.
#[inline]
pub fn distort(x: f32) -> f32 {
    x / (1.0 + x.abs())
}

/// SC's `round(x, q)`: `x` to the nearest multiple of `q` (0 leaves it unchanged).
#[inline]
pub fn round_to(x: f32, q: f32) -> f32 {
    if q == 0.0 {
        x
    } else {
        q * (x / q).round()
    }
}

/// `block[i] = tanh(drive · block[i])`.
pub fn tanh_block(block: &mut [f32], drive: f32) {
    block.iter_mut().for_each(|x| *x = tanh(*x * drive));
}

/// `block[i] = distort(drive · block[i])`.
pub fn distort_block(block: &mut [f32], drive: f32) {
    block.iter_mut().for_each(|x| *x = distort(*x * drive));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapers_follow_their_formulas() {
        assert_eq!(distort(1.0), 0.5);
        assert_eq!(distort(-3.0), -0.75);
        assert!((tanh(0.5) - 0.5f32.tanh()).abs() < 1e-7);
        assert!(tanh(20.0) <= 1.0);
        assert_eq!(round_to(0.014, 0.01), 0.01);
        assert_eq!(round_to(0.37, 0.0), 0.37);
        let mut b = [1.0f32, -1.0];
        distort_block(&mut b, 3.0);
        assert_eq!(b, [0.75, -0.75]);
    }
}
