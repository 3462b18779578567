import Jsonnet
import Testing

/// std.md5, sha1, sha256, sha512 and sha3 (SHA3-512) on empty, short, multi-block and non-ASCII input. Expectations checked against go-jsonnet 0.22.
@Suite struct StdHashesTests {
    @Test func md5() {
        #expect(compact(#"std.md5('')"#) == #"d41d8cd98f00b204e9800998ecf8427e"#)
        #expect(compact(#"std.md5('abc')"#) == #"900150983cd24fb0d6963f7d28e17f72"#)
        #expect(compact(#"std.md5('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')"#) == #"03dd8807a93175fb062dfb55dc7d359c"#)
        #expect(compact(#"std.md5('The quick brown fox jumps over the lazy dog')"#) == #"9e107d9d372bb6826bd81d3542a419d6"#)
        #expect(compact(#"std.md5('é€😀 naïve')"#) == #"ecb25bc7d6406635469e142f3e78dba2"#)
        #expect(compact(#"std.md5('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"04364420e25c512fd958a70738aa8f72"#)
        #expect(compact(#"std.md5('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"668a72d5ba17f08e62dabcafad6db14b"#)
        #expect(compact(#"std.md5('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"99be7ef15cb6b337884e1789a220d421"#)
        #expect(compact(#"std.md5('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"b76f11955883b74d68f746bdc98ff130"#)
        #expect(compact(#"std.md5('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"66a2a1025a6a09335ba14aa67527857c"#)
        #expect(compact(#"std.md5('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"a7bee103e09b6b778a3ab1af3992843b"#)
        #expect(compact(#"std.md5('wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww')"#) == #"2ce50b6d7709db4aed2a3a8348a23304"#)
        #expect(compact(#"std.md5(s='abc')"#) == #"900150983cd24fb0d6963f7d28e17f72"#)
        #expect(run(#"std.md5(1)"#) == #"ERROR: RUNTIME ERROR: Unexpected type number, expected string"#)
        #expect(run(#"std.md5(null)"#) == #"ERROR: RUNTIME ERROR: Unexpected type null, expected string"#)
    }

    @Test func sha1() {
        #expect(compact(#"std.sha1('')"#) == #"da39a3ee5e6b4b0d3255bfef95601890afd80709"#)
        #expect(compact(#"std.sha1('abc')"#) == #"a9993e364706816aba3e25717850c26c9cd0d89d"#)
        #expect(compact(#"std.sha1('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')"#) == #"a49b2446a02c645bf419f995b67091253a04a259"#)
        #expect(compact(#"std.sha1('The quick brown fox jumps over the lazy dog')"#) == #"2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"#)
        #expect(compact(#"std.sha1('é€😀 naïve')"#) == #"308ea1ce538c4823e504fa9cdcf822f11c013440"#)
        #expect(compact(#"std.sha1('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"cef734ba81a024479e09eb5a75b6ddae62e6abf1"#)
        #expect(compact(#"std.sha1('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"901305367c259952f4e7af8323f480d59f81335b"#)
        #expect(compact(#"std.sha1('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"1b745d3bc5c604bf4fe2aa99fa42afbb5d7a3d8e"#)
        #expect(compact(#"std.sha1('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"12521e7c82d86c561323a988cd8db6de1899b2d9"#)
        #expect(compact(#"std.sha1('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"b503c2a87dbb92d50218770509e5c4d9b145b11f"#)
        #expect(compact(#"std.sha1('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"1f3dfa57c3b69132b547cac8e7f6db707679b104"#)
        #expect(compact(#"std.sha1('wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww')"#) == #"1b7db18c0a4a3a552d943b3a0fb39d2097eb50e7"#)
        #expect(compact(#"std.sha1(s='abc')"#) == #"a9993e364706816aba3e25717850c26c9cd0d89d"#)
        #expect(run(#"std.sha1(1)"#) == #"ERROR: RUNTIME ERROR: Unexpected type number, expected string"#)
        #expect(run(#"std.sha1(null)"#) == #"ERROR: RUNTIME ERROR: Unexpected type null, expected string"#)
    }

    @Test func sha256() {
        #expect(compact(#"std.sha256('')"#) == #"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"#)
        #expect(compact(#"std.sha256('abc')"#) == #"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"#)
        #expect(compact(#"std.sha256('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')"#) == #"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"#)
        #expect(compact(#"std.sha256('The quick brown fox jumps over the lazy dog')"#) == #"d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"#)
        #expect(compact(#"std.sha256('é€😀 naïve')"#) == #"33d8b8c6f2618a20e8ffa897643e1a98a5ed3fffc338c287cc2f165f613f5d8c"#)
        #expect(compact(#"std.sha256('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"#)
        #expect(compact(#"std.sha256('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"#)
        #expect(compact(#"std.sha256('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"fe83b2c017fe941a6ec12beca5184d9c98e07202015e478f718497af98ffbc57"#)
        #expect(compact(#"std.sha256('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"105711f926338dd767e5e6931a4c5f0d8657a75c45cfbf73154eea947c91ff6c"#)
        #expect(compact(#"std.sha256('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"988ffe20c2fe3262f7a7e55cb05287764c9e17bd2859f680355d30a07042e98b"#)
        #expect(compact(#"std.sha256('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"ee0a01e40b0406d8cce43d7f3b909a63c561251bcab451e9f89d371e5d899cd3"#)
        #expect(compact(#"std.sha256('wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww')"#) == #"f21c981475cfd17cbd5ca4bf8fbcaf7c6fc8918d76a0a58c60f45c4b8fb65e49"#)
        #expect(compact(#"std.sha256(s='abc')"#) == #"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"#)
        #expect(run(#"std.sha256(1)"#) == #"ERROR: RUNTIME ERROR: Unexpected type number, expected string"#)
        #expect(run(#"std.sha256(null)"#) == #"ERROR: RUNTIME ERROR: Unexpected type null, expected string"#)
    }

    @Test func sha512() {
        #expect(compact(#"std.sha512('')"#) == #"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"#)
        #expect(compact(#"std.sha512('abc')"#) == #"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"#)
        #expect(compact(#"std.sha512('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')"#) == #"8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"#)
        #expect(compact(#"std.sha512('The quick brown fox jumps over the lazy dog')"#) == #"07e547d9586f6a73f73fbac0435ed76951218fb7d0c8d788a309d785436bbb642e93a252a954f23912547d1e8a3b5ed6e1bfd7097821233fa0538f3db854fee6"#)
        #expect(compact(#"std.sha512('é€😀 naïve')"#) == #"64fdfc2323f6574252b348bab4df279f706481017b36667af0de4dce59a1727d05dbcb0917f71f04632202f1fa46e53670a412baf5b0bfc4465a2d882930b80a"#)
        #expect(compact(#"std.sha512('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"db9981645857e59805132f7699e78bbcf39f69380a41aac8e6fa158a0593f2017ffe48764687aa855dae3023fcceefd51a1551d57730423df18503e80ba381ba"#)
        #expect(compact(#"std.sha512('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"a9436ec7761f9f0d5fa48e652d72b54622f763b36106e6551900b32f6cd7f4d88dbeaadeb866d7f5311663eda3bbcda04ffb5a8e6779e14b84e95da5327c083e"#)
        #expect(compact(#"std.sha512('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"0462e03e558b3e8322d1f91455f36402ec31358ce5a0b8a90aca93fb6ba55b5f87a246f200cb3b6bb8d43c87ab51c1dbf31c7e5da41364f8ca999a862f1ba9fb"#)
        #expect(compact(#"std.sha512('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"8a9b4960b8ba283f3ff4ae7c0cd9da8c12a9520701122630a9f903be075c19047ec85743ac93b91af5d9b3d428764f19e712f52232d3205a5e8b6d0c04aecd3e"#)
        #expect(compact(#"std.sha512('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"088cd78f962f30e9a18b3ba7104cea7c4bdcd1170ea109765cde92996bb2be4c60b74751ce83b6e8751b40f3c002c5b96adcf4c76cd3e9c4e8b609c836eb07b7"#)
        #expect(compact(#"std.sha512('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"0163d28e6095b6a069f955248e7e14925a7dbc4baf9165e078dc720606e91fd960adc085dcd272342e2a24cb13f8c65bcba5430648c03e8edf41cabcc9cc33a6"#)
        #expect(compact(#"std.sha512('wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww')"#) == #"f13dbc447b3fe2c9e53a2c64d0f00a213fcaaf49f6370c79c6ded54a82af0ce9087383eb58bc360e903b10484705f814f8237746aa1bc48f426ac169ef96712c"#)
        #expect(compact(#"std.sha512(s='abc')"#) == #"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"#)
        #expect(run(#"std.sha512(1)"#) == #"ERROR: RUNTIME ERROR: Unexpected type number, expected string"#)
        #expect(run(#"std.sha512(null)"#) == #"ERROR: RUNTIME ERROR: Unexpected type null, expected string"#)
    }

    @Test func sha3() {
        #expect(compact(#"std.sha3('')"#) == #"a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26"#)
        #expect(compact(#"std.sha3('abc')"#) == #"b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"#)
        #expect(compact(#"std.sha3('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')"#) == #"afebb2ef542e6579c50cad06d2e578f9f8dd6881d7dc824d26360feebf18a4fa73e3261122948efcfd492e74e82e2189ed0fb440d187f382270cb455f21dd185"#)
        #expect(compact(#"std.sha3('The quick brown fox jumps over the lazy dog')"#) == #"01dedd5de4ef14642445ba5f5b97c15e47b9ad931326e4b0727cd94cefc44fff23f07bf543139939b49128caf436dc1bdee54fcb24023a08d9403f9b4bf0d450"#)
        #expect(compact(#"std.sha3('é€😀 naïve')"#) == #"4e25dcdbdde0dfaa19fcbe1756c551bab51a9e0ddb8b6c1a7cd18d7e2c61ba3df22da7b53df20f76f611709f7500d8484695d4447be9eb7a8dbfe57bbc45b2e6"#)
        #expect(compact(#"std.sha3('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"bc58437fcb851731aefc61b72ab5625f9a6c1c2a8e5942e043bfd0a62600a9cba77c7d9def9ffb59bffddc69236ba7eb1a1e044970a8a678feaffb25d754b0f5"#)
        #expect(compact(#"std.sha3('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')"#) == #"6fc2e29c3b0db0ab389b71ec1d0c26facfb893bd975077969396fc881970bb3138866ab4661fed32beff143cf8c4e89cdc446dbe05c972d444f764b823ae1284"#)
        #expect(compact(#"std.sha3('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"95bbe64b7f2cdc0fa99122fdbc827c8873949ff9a908cc0fdb9341d02fa02f49bb9749ceb2ac6a1401a6c104a43e2cf40ed1e0c826e9d7f20c49c24e08d1a5e4"#)
        #expect(compact(#"std.sha3('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')"#) == #"d7ce07d8874eebc9fcd278aad50ea6dc24deec7d25a3f43d79c3b1aa2bb57452e48b10269bc4e0471a9a15d0f5eb5070e9fea4d0041d6c024fd1bc0812c92c5d"#)
        #expect(compact(#"std.sha3('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"bd5412acf907afb58fffcb7d364e5612dce81c81b4f5b944728718b7ce8a5c0fcd4e58b7d8d87475f72c98cdf2c40e34d07f19d8d18217b9a38a568a72fb1c30"#)
        #expect(compact(#"std.sha3('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')"#) == #"dffa05caf3314158ead461097f0c451025a29daca599f2e13a1f68410c124e7575d0174c0e6ecb5b276a5178ecda58664efcb46aa45e6fc51f026bef3b5e04c3"#)
        #expect(compact(#"std.sha3('wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww')"#) == #"f208dbf1dd12f1e1025335510393c7c9b2af5e3c50f9c5cb83497187f449c340112b0031e1d2a5a066e3b4145e6c57dafb98a9572fa0bde2ed0be579043178d0"#)
        #expect(compact(#"std.sha3(s='abc')"#) == #"b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"#)
        #expect(run(#"std.sha3(1)"#) == #"ERROR: RUNTIME ERROR: Unexpected type number, expected string"#)
        #expect(run(#"std.sha3(null)"#) == #"ERROR: RUNTIME ERROR: Unexpected type null, expected string"#)
    }
}
