{
  description = "devgen: generate and keep true the Nix/devenv development environment of an Elixir/Phoenix project";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
      cargoToml = builtins.fromTOML (builtins.readFile ./Cargo.toml);

      # What the integration suite (tests/suite) drives for real, beside the tools of the
      # dev shell. `or null` keeps the flake evaluable against a partial package set.
      testPrograms = pkgs: with pkgs; [ nix shellcheck elixir tmux dnsmasq ]
        ++ builtins.filter (p: p != null) [
          (pkgs.dig or null)
          (pkgs.postgresql or null)
          (pkgs.git or null)
          (pkgs.util-linux or null)
          (if pkgs ? python3 then pkgs.python3.withPackages (ps: [ ps.jsonschema ]) else null)
        ];

      # buildRustPackage arguments shared by the package and the checks.
      common = pkgs: {
        pname = cargoToml.package.name;
        version = cargoToml.package.version;
        src = ./.;
        cargoLock.lockFile = ./Cargo.lock;
        # The switch that keeps the package build to the unit tests: the integration suite
        # needs a Nix store, a tmux server, loopback DNS and, for the pre-commit test, the
        # network, none of which the build sandbox has. It runs in full through .ci/test,
        # and as `checks.<system>.suite` below with the programs it needs.
        cargoTestFlags = [ "--lib" ];
        # Cargo.toml's `repository` is the one place that names devgen's home; none yet.
        meta = {
          description = cargoToml.package.description;
          license = [ (pkgs.lib.licenses.mit or "MIT") (pkgs.lib.licenses.asl20 or "Apache-2.0") ];
          mainProgram = "devgen";
        } // (if cargoToml.package ? repository then {
          homepage = cargoToml.package.repository;
        } else { });
      };
      devgenFor = pkgs: pkgs.rustPlatform.buildRustPackage (common pkgs);
    in
    {
      packages = forEachSystem (system: pkgs: rec {
        devgen = devgenFor pkgs;
        default = devgen;
      });

      apps = forEachSystem (system: pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${system}.default}/bin/devgen";
        };
      });

      overlays.default = final: prev: { devgen = devgenFor final; };

      devShells = forEachSystem (system: pkgs: {
        default = pkgs.mkShell {
          packages = with pkgs; [ cargo clippy rustfmt rust-analyzer ]
            ++ testPrograms pkgs
            ++ builtins.filter (p: p != null) [ (pkgs.pre-commit or null) ];
        };
      });

      checks = forEachSystem (system: pkgs: {
        build = devgenFor pkgs;
        clippy = pkgs.rustPlatform.buildRustPackage (common pkgs // {
          pname = "devgen-clippy";
          nativeBuildInputs = [ pkgs.clippy ];
          buildPhase = "cargo clippy --offline --workspace --all-targets -- -D warnings";
          installPhase = "touch $out";
          doCheck = false;
        });
        # The Nix editor's own tests, unit, property and snapshot: Rust only.
        nix-edit = pkgs.rustPlatform.buildRustPackage (common pkgs // {
          pname = "nix-edit-tests";
          cargoTestFlags = [ "-p" "nix-edit" ];
          installPhase = "touch $out";
        });
        # The integration suite with the real programs it drives, but for the pre-commit
        # test: it builds the hook with `cargo install`, which needs the network.
        suite = pkgs.rustPlatform.buildRustPackage (common pkgs // {
          pname = "devgen-suite";
          nativeCheckInputs = testPrograms pkgs;
          cargoTestFlags = [ "--test" "suite" "--" "--skip" "pre_commit::" ];
          installPhase = "touch $out";
        });
      });

      formatter = forEachSystem (system: pkgs: pkgs.nixfmt-rfc-style or (pkgs.nixfmt or null));
    };
}
