(module
  ;; warpAffine's kernel (warp-affine-wasm.ts loads it; scripts/build-wasm.mjs assembles this file
  ;; into warp-affine-wasm-bytes.ts). Each location and weight is computed exactly as the
  ;; JavaScript loop in warp-affine.ts and the shared kernel in zero-boundary.ts do: float32
  ;; locations (demote/promote), ceil, weights ceil - x rounded to float32 and x - (ceil - 1)
  ;; (exact), the 8 corners combined in float64 in DeepReg's order, one rounding when storing.
  ;; Wasm float arithmetic is IEEE and never fused, so the results are the same bits.
  (memory (export "memory") 1)

  ;; The value at the float32 location (x, y, z), all 8 corners inside (no test): the loop body of
  ;; warpAffine's interior, scalar. src: byte address of the volume; d3b, planeb: strides in bytes.
  (func $voxel (param $x f64) (param $y f64) (param $z f64) (param $src i32) (param $d3b i32) (param $planeb i32) (result f64)
    (local $cx f64) (local $cy f64) (local $cz f64)
    (local $fx f64) (local $gx f64) (local $fy f64) (local $gy f64) (local $fz f64) (local $gz f64)
    (local $b i32) (local $c i32)
    (local.set $cx (f64.ceil (local.get $x)))
    (local.set $cy (f64.ceil (local.get $y)))
    (local.set $cz (f64.ceil (local.get $z)))
    (local.set $fx (f64.promote_f32 (f32.demote_f64 (f64.sub (local.get $cx) (local.get $x)))))
    (local.set $gx (f64.sub (local.get $x) (f64.sub (local.get $cx) (f64.const 1))))
    (local.set $fy (f64.promote_f32 (f32.demote_f64 (f64.sub (local.get $cy) (local.get $y)))))
    (local.set $gy (f64.sub (local.get $y) (f64.sub (local.get $cy) (f64.const 1))))
    (local.set $fz (f64.promote_f32 (f32.demote_f64 (f64.sub (local.get $cz) (local.get $z)))))
    (local.set $gz (f64.sub (local.get $z) (f64.sub (local.get $cz) (f64.const 1))))
    (local.set $b
      (i32.add (local.get $src)
        (i32.add
          (i32.add
            (i32.mul (i32.sub (i32.trunc_f64_s (local.get $cx)) (i32.const 1)) (local.get $planeb))
            (i32.mul (i32.sub (i32.trunc_f64_s (local.get $cy)) (i32.const 1)) (local.get $d3b)))
          (i32.shl (i32.sub (i32.trunc_f64_s (local.get $cz)) (i32.const 1)) (i32.const 2)))))
    (local.set $c (i32.add (local.get $b) (local.get $planeb)))
    ;; (v00 * fy + v10 * gy) * fz + (v01 * fy + v11 * gy) * gz, v = floor plane * fx + ceil plane * gx
    (f64.add
      (f64.mul
        (f64.add
          (f64.mul
            (f64.add
              (f64.mul (f64.promote_f32 (f32.load (local.get $b))) (local.get $fx))
              (f64.mul (f64.promote_f32 (f32.load (local.get $c))) (local.get $gx)))
            (local.get $fy))
          (f64.mul
            (f64.add
              (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $b) (local.get $d3b)))) (local.get $fx))
              (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $c) (local.get $d3b)))) (local.get $gx)))
            (local.get $gy)))
        (local.get $fz))
      (f64.mul
        (f64.add
          (f64.mul
            (f64.add
              (f64.mul (f64.promote_f32 (f32.load offset=4 (local.get $b))) (local.get $fx))
              (f64.mul (f64.promote_f32 (f32.load offset=4 (local.get $c))) (local.get $gx)))
            (local.get $fy))
          (f64.mul
            (f64.add
              (f64.mul (f64.promote_f32 (f32.load offset=4 (i32.add (local.get $b) (local.get $d3b)))) (local.get $fx))
              (f64.mul (f64.promote_f32 (f32.load offset=4 (i32.add (local.get $c) (local.get $d3b)))) (local.get $gx)))
            (local.get $gy)))
        (local.get $gz))))

  ;; One output row (i, j): k = 0 .. n - 1 at (bx + k tx, by + k ty, bz + k tz) rounded to float32;
  ;; [lo, hi) is known inside (no test, two voxels per step), the rest is tested (0 outside).
  (func (export "row")
    (param $bx f64) (param $by f64) (param $bz f64) (param $tx f64) (param $ty f64) (param $tz f64)
    (param $h1 f64) (param $h2 f64) (param $h3 f64)
    (param $lo i32) (param $hi i32) (param $n i32)
    (param $src i32) (param $dst i32) (param $d3 i32) (param $plane i32)
    (local $k i32) (local $kf f64) (local $x f64) (local $y f64) (local $z f64) (local $v f64)
    (local $d3b i32) (local $planeb i32)
    (local $vk v128) (local $one v128)
    (local $vbx v128) (local $vby v128) (local $vbz v128) (local $vtx v128) (local $vty v128) (local $vtz v128)
    (local $px v128) (local $py v128) (local $pz v128)
    (local $cx v128) (local $cy v128) (local $cz v128)
    (local $fx v128) (local $gx v128) (local $fy v128) (local $gy v128) (local $fz v128) (local $gz v128)
    (local $vb v128) (local $vplane v128) (local $vd3 v128) (local $kx v128) (local $ky v128) (local $kz v128) (local $tx2 v128) (local $ty2 v128) (local $tz2 v128) (local $b0 i32) (local $b1 i32) (local $c0 i32) (local $c1 i32)
    (local.set $d3b (i32.shl (local.get $d3) (i32.const 2)))
    (local.set $planeb (i32.shl (local.get $plane) (i32.const 2)))
    ;; [0, lo) and, at the end, [hi, n): tested
    (local.set $k (i32.const 0))
    (block $done0 (loop $edge0
      (br_if $done0 (i32.ge_s (local.get $k) (local.get $lo)))
      (local.set $kf (f64.convert_i32_s (local.get $k)))
      (local.set $x (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $bx) (f64.mul (local.get $kf) (local.get $tx))))))
      (local.set $y (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $by) (f64.mul (local.get $kf) (local.get $ty))))))
      (local.set $z (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $bz) (f64.mul (local.get $kf) (local.get $tz))))))
      (local.set $v (f64.const 0))
      (if (i32.and
            (i32.and (i32.and (f64.gt (local.get $x) (f64.const 0)) (f64.le (local.get $x) (local.get $h1)))
                     (i32.and (f64.gt (local.get $y) (f64.const 0)) (f64.le (local.get $y) (local.get $h2))))
            (i32.and (f64.gt (local.get $z) (f64.const 0)) (f64.le (local.get $z) (local.get $h3))))
        (then (local.set $v (call $voxel (local.get $x) (local.get $y) (local.get $z) (local.get $src) (local.get $d3b) (local.get $planeb)))))
      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 2))) (f32.demote_f64 (local.get $v)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $edge0)))
    ;; [lo, hi), two voxels (k, k + 1) per step in f64x2 lanes. k * t is exact in float64 (a float32
    ;; times an integer below 2^24), so adding 2t per step gives the same term as the product.
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $vbx (f64x2.splat (local.get $bx)))
    (local.set $vby (f64x2.splat (local.get $by)))
    (local.set $vbz (f64x2.splat (local.get $bz)))
    (local.set $vtx (f64x2.splat (local.get $tx)))
    (local.set $vty (f64x2.splat (local.get $ty)))
    (local.set $vtz (f64x2.splat (local.get $tz)))
    (local.set $vplane (f64x2.splat (f64.convert_i32_s (local.get $plane))))
    (local.set $vd3 (f64x2.splat (f64.convert_i32_s (local.get $d3))))
    (local.set $vk (f64x2.replace_lane 1 (f64x2.splat (f64.convert_i32_s (local.get $lo))) (f64.convert_i32_s (i32.add (local.get $lo) (i32.const 1)))))
    (local.set $kx (f64x2.mul (local.get $vk) (local.get $vtx)))
    (local.set $ky (f64x2.mul (local.get $vk) (local.get $vty)))
    (local.set $kz (f64x2.mul (local.get $vk) (local.get $vtz)))
    (local.set $tx2 (f64x2.add (local.get $vtx) (local.get $vtx)))
    (local.set $ty2 (f64x2.add (local.get $vty) (local.get $vty)))
    (local.set $tz2 (f64x2.add (local.get $vtz) (local.get $vtz)))
    (block $done1 (loop $pair
      (br_if $done1 (i32.ge_s (i32.add (local.get $k) (i32.const 1)) (local.get $hi)))
      (local.set $px (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (local.get $vbx) (local.get $kx)))))
      (local.set $py (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (local.get $vby) (local.get $ky)))))
      (local.set $pz (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (local.get $vbz) (local.get $kz)))))
      (local.set $cx (f64x2.ceil (local.get $px)))
      (local.set $cy (f64x2.ceil (local.get $py)))
      (local.set $cz (f64x2.ceil (local.get $pz)))
      (local.set $fx (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.sub (local.get $cx) (local.get $px)))))
      (local.set $fy (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.sub (local.get $cy) (local.get $py)))))
      (local.set $fz (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.sub (local.get $cz) (local.get $pz)))))
      (local.set $cx (f64x2.sub (local.get $cx) (local.get $one)))
      (local.set $cy (f64x2.sub (local.get $cy) (local.get $one)))
      (local.set $cz (f64x2.sub (local.get $cz) (local.get $one)))
      (local.set $gx (f64x2.sub (local.get $px) (local.get $cx)))
      (local.set $gy (f64x2.sub (local.get $py) (local.get $cy)))
      (local.set $gz (f64x2.sub (local.get $pz) (local.get $cz)))
      ;; byte address of the floor corner, lanes 0 and 1: the index (ceil - 1 per axis) summed in
      ;; float64 (exact integers), truncated once, times 4, plus src
      (local.set $vb
        (i32x4.shl
          (i32x4.trunc_sat_f64x2_s_zero
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $cx) (local.get $vplane))
                (f64x2.mul (local.get $cy) (local.get $vd3)))
              (local.get $cz)))
          (i32.const 2)))
      (local.set $b0 (i32.add (local.get $src) (i32x4.extract_lane 0 (local.get $vb))))
      (local.set $b1 (i32.add (local.get $src) (i32x4.extract_lane 1 (local.get $vb))))
      (local.set $c0 (i32.add (local.get $b0) (local.get $planeb)))
      (local.set $c1 (i32.add (local.get $b1) (local.get $planeb)))
      (v128.store64_lane 0
        (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 2)))
        (f32x4.demote_f64x2_zero
          (f64x2.add
            (f64x2.mul
              (f64x2.add
                (f64x2.mul
                  (f64x2.add
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load32_lane 1 (local.get $b1) (v128.load32_zero (local.get $b0)))) (local.get $fx))
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load32_lane 1 (local.get $c1) (v128.load32_zero (local.get $c0)))) (local.get $gx)))
                  (local.get $fy))
                (f64x2.mul
                  (f64x2.add
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $d3b)) (v128.load32_zero (i32.add (local.get $b0) (local.get $d3b))))) (local.get $fx))
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load32_lane 1 (i32.add (local.get $c1) (local.get $d3b)) (v128.load32_zero (i32.add (local.get $c0) (local.get $d3b))))) (local.get $gx)))
                  (local.get $gy)))
              (local.get $fz))
            (f64x2.mul
              (f64x2.add
                (f64x2.mul
                  (f64x2.add
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load32_lane offset=4 1 (local.get $b1) (v128.load32_zero offset=4 (local.get $b0)))) (local.get $fx))
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load32_lane offset=4 1 (local.get $c1) (v128.load32_zero offset=4 (local.get $c0)))) (local.get $gx)))
                  (local.get $fy))
                (f64x2.mul
                  (f64x2.add
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load32_lane offset=4 1 (i32.add (local.get $b1) (local.get $d3b)) (v128.load32_zero offset=4 (i32.add (local.get $b0) (local.get $d3b))))) (local.get $fx))
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load32_lane offset=4 1 (i32.add (local.get $c1) (local.get $d3b)) (v128.load32_zero offset=4 (i32.add (local.get $c0) (local.get $d3b))))) (local.get $gx)))
                  (local.get $gy)))
              (local.get $gz)))))
      (local.set $kx (f64x2.add (local.get $kx) (local.get $tx2)))
      (local.set $ky (f64x2.add (local.get $ky) (local.get $ty2)))
      (local.set $kz (f64x2.add (local.get $kz) (local.get $tz2)))
      (local.set $k (i32.add (local.get $k) (i32.const 2)))
      (br $pair)))
    ;; an odd voxel left of the interior
    (if (i32.lt_s (local.get $k) (local.get $hi))
      (then
        (local.set $kf (f64.convert_i32_s (local.get $k)))
        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 2)))
          (f32.demote_f64 (call $voxel
            (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $bx) (f64.mul (local.get $kf) (local.get $tx)))))
            (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $by) (f64.mul (local.get $kf) (local.get $ty)))))
            (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $bz) (f64.mul (local.get $kf) (local.get $tz)))))
            (local.get $src) (local.get $d3b) (local.get $planeb))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))))
    ;; [hi, n): tested
    (block $done2 (loop $edge2
      (br_if $done2 (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $kf (f64.convert_i32_s (local.get $k)))
      (local.set $x (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $bx) (f64.mul (local.get $kf) (local.get $tx))))))
      (local.set $y (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $by) (f64.mul (local.get $kf) (local.get $ty))))))
      (local.set $z (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $bz) (f64.mul (local.get $kf) (local.get $tz))))))
      (local.set $v (f64.const 0))
      (if (i32.and
            (i32.and (i32.and (f64.gt (local.get $x) (f64.const 0)) (f64.le (local.get $x) (local.get $h1)))
                     (i32.and (f64.gt (local.get $y) (f64.const 0)) (f64.le (local.get $y) (local.get $h2))))
            (i32.and (f64.gt (local.get $z) (f64.const 0)) (f64.le (local.get $z) (local.get $h3))))
        (then (local.set $v (call $voxel (local.get $x) (local.get $y) (local.get $z) (local.get $src) (local.get $d3b) (local.get $planeb)))))
      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 2))) (f32.demote_f64 (local.get $v)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $edge2)))
  )
)
