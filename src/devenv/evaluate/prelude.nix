  # What `devgen check` evaluates a module with: stand-ins for `pkgs`, `lib` and `config`,
  # and the probe that reports each value it could not check by reading. Every name starts
  # with `__devgen` so that it shadows nothing a module binds.

  # A package: enough of a derivation to be used as one, callable so that
  # `pkgs.writeShellScriptBin "x" "…"` and `pkgs.python3.withPackages (…)` give one too.
  __devgenPackage = name: {
    type = "derivation";
    __devgenStub = "package";
    inherit name;
    pname = name;
    version = "0";
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
    drvPath = "/nix/store/00000000000000000000000000000000-${name}.drv";
    outputs = [ "out" ];
    meta.mainProgram = name;
    __functor = self: _: self;
    override = _: __devgenPackage name;
    overrideAttrs = _: __devgenPackage name;
  };

  # A value only devenv's evaluation knows: reading it gives no verdict.
  __devgenUnknown = name: {
    __devgenStub = "unknown";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-devgen-unknown";
    __functor = self: _: self;
  };

  # Sets from leaves (`{ path = [ "a" "b" ]; value = …; }`), and sets merged below their
  # names; the right-hand side wins where both are no sets.
  __devgenSetAt = path: value:
    if path == [ ] then value
    else { ${builtins.head path} = __devgenSetAt (builtins.tail path) value; };
  __devgenMerge = a: b:
    if builtins.isAttrs a && builtins.isAttrs b then
      a // builtins.mapAttrs (n: v: if a ? ${n} then __devgenMerge a.${n} v else v) b
    else b;
  __devgenTree = leaves:
    builtins.foldl' (acc: l: __devgenMerge acc (__devgenSetAt l.path l.value)) { } leaves;

  __devgenPlatform = rec {
    system = builtins.currentSystem;
    isLinux = builtins.match ".*-linux" system != null;
    isDarwin = builtins.match ".*-darwin" system != null;
    isx86_64 = builtins.match "x86_64-.*" system != null;
    isAarch64 = builtins.match "aarch64-.*" system != null;
  };

  # The parts of nixpkgs' `lib` modules use most, written the way nixpkgs writes them.
  __devgenLib = rec {
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkMerge = contents: { _type = "merge"; inherit contents; };
    mkOverride = priority: content: { _type = "override"; inherit priority content; };
    mkDefault = mkOverride 1000;
    mkOptionDefault = mkOverride 1500;
    mkForce = mkOverride 50;
    mkOrder = priority: content: { _type = "order"; inherit priority content; };
    mkBefore = mkOrder 500;
    mkAfter = mkOrder 1500;
    mkOption = attrs: attrs // { _type = "option"; };
    mkEnableOption = name: mkOption { description = "Whether to enable ${name}."; };
    mkPackageOption = _: name: _: mkOption { description = "The ${toString name} package."; };
    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: xs: if cond then xs else [ ];
    optionalAttrs = cond: set: if cond then set else { };
    optionalString = cond: s: if cond then s else "";
    boolToString = b: if b then "true" else "false";
    concatStringsSep = builtins.concatStringsSep;
    concatMapStringsSep = sep: f: xs: builtins.concatStringsSep sep (map f xs);
    concatMapStrings = f: xs: builtins.concatStringsSep "" (map f xs);
    concatLines = xs: builtins.concatStringsSep "" (map (x: x + "\n") xs);
    escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s) + "'";
    escapeShellArgs = xs: builtins.concatStringsSep " " (map escapeShellArg xs);
    getExe = p: "${p}/bin/${p.meta.mainProgram or p.pname or p.name}";
    getExe' = p: name: "${p}/bin/${name}";
    getBin = p: p;
    getLib = p: p;
    makeBinPath = ps: builtins.concatStringsSep ":" (map (p: "${p}/bin") ps);
    makeLibraryPath = ps: builtins.concatStringsSep ":" (map (p: "${p}/lib") ps);
    mapAttrs = builtins.mapAttrs;
    mapAttrsToList = f: set: map (n: f n set.${n}) (builtins.attrNames set);
    mapAttrs' = f: set: builtins.listToAttrs (mapAttrsToList f set);
    nameValuePair = name: value: { inherit name value; };
    filterAttrs = pred: set:
      builtins.removeAttrs set (builtins.filter (n: !pred n set.${n}) (builtins.attrNames set));
    genAttrs = names: f: builtins.listToAttrs (map (n: nameValuePair n (f n)) names);
    attrNames = builtins.attrNames;
    attrValues = builtins.attrValues;
    listToAttrs = builtins.listToAttrs;
    recursiveUpdate = __devgenMerge;
    hasPrefix = pre: s: builtins.substring 0 (builtins.stringLength pre) s == pre;
    hasSuffix = suf: s:
      let n = builtins.stringLength s; m = builtins.stringLength suf;
      in n >= m && builtins.substring (n - m) m s == suf;
    toUpper = builtins.replaceStrings lowerChars upperChars;
    toLower = builtins.replaceStrings upperChars lowerChars;
    lowerChars = __devgenChars "abcdefghijklmnopqrstuvwxyz";
    upperChars = __devgenChars "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    flatten = x: if builtins.isList x then builtins.concatMap flatten x else [ x ];
    elem = builtins.elem;
    head = builtins.head;
    last = xs: builtins.elemAt xs (builtins.length xs - 1);
    filter = builtins.filter;
    range = first: last:
      if first > last then [ ] else builtins.genList (n: first + n) (last - first + 1);
    unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
    id = x: x;
    const = x: _: x;
    toInt = s: builtins.fromJSON s;
    versionAtLeast = a: b: builtins.compareVersions a b >= 0;
    versionOlder = a: b: builtins.compareVersions a b < 0;
    inherit (__devgenPlatform) isLinux isDarwin;
    types = { };
    strings = { inherit concatStringsSep concatMapStringsSep optionalString escapeShellArg hasPrefix hasSuffix toUpper toLower; };
    lists = { inherit optional optionals flatten elem head last filter range unique; };
    attrsets = { inherit mapAttrs mapAttrsToList mapAttrs' nameValuePair filterAttrs genAttrs recursiveUpdate optionalAttrs; };
    meta = { inherit getExe getExe'; availableOn = _: _: __devgenPlatform.isLinux || __devgenPlatform.isDarwin; };
    trivial = { inherit boolToString id const; };
  };
  __devgenChars = s: builtins.genList (i: builtins.substring i 1 s) (builtins.stringLength s);

  __devgenPkgs = {
    lib = __devgenLib;
    inherit (__devgenPlatform) system;
    stdenv = __devgenPlatform // {
      hostPlatform = __devgenPlatform;
      buildPlatform = __devgenPlatform;
      mkDerivation = attrs:
        let a = if builtins.isFunction attrs then attrs { } else attrs;
        in __devgenPackage (a.name or a.pname or "derivation");
    };
    hostPlatform = __devgenPlatform;
    buildPlatform = __devgenPlatform;
  };

  # A value in words devgen reads back: its type, and for scalars the value itself.
  __devgenDescribe = v:
    let t = builtins.typeOf v; in
    if t == "set" then __devgenDescribeSet v
    else if t == "list" then { t = "list"; items = map __devgenDescribe v; }
    else if t == "path" then { t = "path"; v = toString v; }
    else if t == "lambda" then { t = "lambda"; }
    else if t == "string" then { t = "string"; v = builtins.unsafeDiscardStringContext v; }
    else { inherit t v; };
  __devgenDescribeSet = v:
    if v ? __devgenStub then { t = v.__devgenStub; name = v.name; }
    else if (v.type or null) == "derivation" then { t = "package"; }
    else if builtins.elem (v._type or null) [ "if" "override" "order" ] then __devgenDescribe v.content
    else if v ? _type then { t = "unknown"; name = "lib.mk* (${v._type})"; }
    else { t = "set"; items = builtins.mapAttrs (_: __devgenDescribe) v; };

  __devgenProbe = id: v:
    builtins.trace "devgen-probe ${toString id} ${builtins.toJSON (__devgenDescribe v)}" v;
