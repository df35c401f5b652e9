{
  description = "devgen: generate and keep true the Nix/devenv development environment of an Elixir/Phoenix project";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      cargoToml = builtins.fromTOML (builtins.readFile ./Cargo.toml);

      # The programs the integration suite (tests/suite) drives for real.
      testPrograms = pkgs: with pkgs; [
        nix
        shellcheck
        elixir
        tmux
        dnsmasq
        dig
        postgresql
        git
        util-linux
        (python3.withPackages (ps: [ ps.jsonschema ]))
      ];

      devgenFor = pkgs: pkgs.rustPlatform.buildRustPackage {
        pname = cargoToml.package.name;
        version = cargoToml.package.version;
        src = pkgs.lib.cleanSource ./.;
        cargoLock.lockFile = ./Cargo.lock;
        # The switch that keeps the package build to the unit tests: the integration suite
        # needs a Nix store, a tmux server, loopback DNS and, for the pre-commit test, the
        # network, none of which the build sandbox has. It runs in full through .ci/test,
        # and in `checks.suite` below with the programs it needs.
        cargoTestFlags = [ "--lib" ];
        meta = {
          description = cargoToml.package.description;
          license = with pkgs.lib.licenses; [ mit asl20 ];
          mainProgram = "devgen";
        };
      };
    in
    {
      packages = forEachSystem (pkgs: rec {
        devgen = devgenFor pkgs;
        default = devgen;
      });

      apps = forEachSystem (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.default}/bin/devgen";
        };
      });

      overlays.default = final: prev: { devgen = devgenFor final; };

      devShells = forEachSystem (pkgs: {
        default = pkgs.mkShell {
          packages = with pkgs; [ cargo rustc clippy rustfmt rust-analyzer pre-commit ] ++ testPrograms pkgs;
        };
      });

      checks = forEachSystem (pkgs:
        let devgen = devgenFor pkgs; in
        {
          build = devgen;
          clippy = devgen.overrideAttrs (old: {
            pname = "devgen-clippy";
            nativeBuildInputs = old.nativeBuildInputs ++ [ pkgs.clippy ];
            buildPhase = "cargo clippy --offline --all-targets -- -D warnings";
            installPhase = "touch $out";
            doCheck = false;
          });
          # The integration suite, but for the pre-commit test (it builds the hook with
          # `cargo install` from the network), with the real programs it drives.
          suite = devgen.overrideAttrs (old: {
            pname = "devgen-suite";
            nativeCheckInputs = (old.nativeCheckInputs or [ ]) ++ testPrograms pkgs;
            cargoTestFlags = [ "--test" "suite" "--" "--skip" "pre_commit::" ];
            installPhase = "touch $out";
          });
        });

      formatter = forEachSystem (pkgs: pkgs.nixfmt-rfc-style);
    };
}
