import Jsonnet
import Testing

/// The engine frees unreachable values while an evaluation runs (Heap.collect),
/// and object extension shares layer stacks without leaking layers between objects.
@Suite struct CollectorTests {
    /// Each `{ a: i, b: self.a + 1 }.b` leaves a cycle behind (the object caches
    /// the frame that binds `self` to it). Charged for every object it ever made,
    /// the loop would need about 50 MB of budget; freeing the cycles as it goes,
    /// it fits in 16 MiB.
    @Test func cyclicGarbageIsFreedDuringEvaluation() {
        let churn = "std.foldl(function(acc, i) acc + { a: i, b: self.a + 1 }.b, std.range(1, 100000), 0)"
        #expect(run(churn, memoryLimit: 16 << 20) == "5000150000")
    }

    /// Values reachable only through cycles (an object held by its own method's
    /// frame, a closure over an object frame) survive collections that free the
    /// garbage around them.
    @Test func reachableCyclesSurviveCollection() {
        let program = """
        local objs = [{ i: i, f():: self.i * 2, g: self.f() } for i in std.range(1, 30000)];
        local fns = [{ x: i, f: function() self.x + 1 }.f for i in std.range(1, 30000)];
        local churn = std.foldl(function(acc, i) acc + { a: i, b: self.a }.b, std.range(1, 100000), 0);
        [churn, std.foldl(function(acc, o) acc + o.g + o.f(), objs, 0), std.foldl(function(acc, f) acc + f(), fns, 0)]
        """
        // Σi for i ≤ 100000; 4·Σi for i ≤ 30000; Σ(i+1) for i ≤ 30000.
        #expect(compact(program) == "[5000050000, 1800060000, 450045000]")
    }

    /// `a + b` appends to `a`'s layer stack in place when `a` is the newest
    /// object on it; objects built earlier on the stack must not see later layers.
    @Test func extensionSharesStacksWithoutLeakingLayers() {
        let program = """
        local a = { x: 1 };
        local b = a + { y: self.x + 1 };
        local c = a + { z: super.x + 10 };
        local d = b + b;
        local e = std.objectRemoveKey(b, 'x') + { w: 3 };
        [std.objectFields(a), std.objectFields(b), std.objectFields(c), c.z, b.y, std.objectFields(d), std.objectFields(e)]
        """
        #expect(compact(program) == #"[["x"], ["x", "y"], ["x", "z"], 11, 2, ["x", "y"], ["w", "y"]]"#)
    }

    /// Extensions of an object that is not the newest on its stack copy the
    /// stack's prefix; asserts, removals and `super` keep working on every copy,
    /// and a stack that runs out of room is replaced, not overrun.
    @Test func copiedAndGrownStacksKeepTheirLayers() {
        let prelude = """
        local base = { x: 1, assert self.x > 0 : 'x must be positive' };
        local r = std.objectRemoveKey(base + { y: 2 }, 'y');
        local one = base + { a: super.x + 1 };
        local two = base + { b: super.x + 2 };
        local grown = std.foldl(function(acc, i) acc + { ['f%d' % i]: i }, std.range(1, 40), one);
        local again = one + { c: 3 } + { d: 4 };

        """
        let ok = prelude + """
        [one.a, two.b, std.objectFields(r), std.length(std.objectFields(grown)), grown.a, grown.f40,
         std.objectFields(again), std.objectFields(two), (base + { x: 0 } + { x: 5 }).x]
        """
        #expect(compact(ok) == #"[2, 3, ["x"], 42, 2, 40, ["a", "c", "d", "x"], ["b", "x"], 5]"#)
        #expect(compact(prelude + "(two + { x: -1 }).b") == "ERROR: RUNTIME ERROR: x must be positive")
    }

    /// An object-building fold keeps every field, late binding included.
    @Test func objectBuildingFoldKeepsEveryField() {
        let program = """
        local o = std.foldl(function(acc, i) acc + { ['k%d' % i]: i, last: i, sum+: i }, std.range(1, 5000), { sum: 0 });
        [std.length(std.objectFields(o)), o.k1, o.k5000, o.last, o.sum]
        """
        #expect(compact(program) == "[5002, 1, 5000, 5000, 12502500]")
    }
}
